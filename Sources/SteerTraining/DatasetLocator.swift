// Finds a dataset by name (ml-1m, ml-100k in the set-up cache) or by path, and loads it.
import Foundation
import SteerData

public enum DatasetLocator {
    /// `$STEER_CACHE`, default `~/.cache/steer` (where Scripts/setup unpacks the data).
    public static var cacheDirectory: String {
        if let cache = ProcessInfo.processInfo.environment["STEER_CACHE"], !cache.isEmpty { return cache }
        return NSHomeDirectory() + "/.cache/steer"
    }

    /// Loads `ml-1m` / `ml-100k` from the cache, or a folder holding `<folder name>.inter`
    /// (RecBole atomic files) or `ratings.dat` (MovieLens). `timeOrder` applies to atomic files
    /// (RecBole's normalised float32 timestamps); `.dat` files always use the exact order.
    /// - Throws: ``DataError`` from the readers, or a message saying where it looked.
    public static func load(_ nameOrPath: String, timeOrder: TimeOrder = .exact) throws -> SequenceDataset {
        var folder = nameOrPath
        if !nameOrPath.contains("/") {
            folder = cacheDirectory + "/data/" + nameOrPath
            guard FileManager.default.fileExists(atPath: folder) else {
                throw LocatorError("dataset \(nameOrPath) is not in \(cacheDirectory)/data: run `make setup` (known names: ml-1m, ml-100k) or pass a folder path")
            }
        }
        let name = URL(fileURLWithPath: folder).lastPathComponent
        if FileManager.default.fileExists(atPath: folder + "/" + name + ".inter") {
            return try SequenceDataset.loadAtomic(directory: folder, name: name, timeOrder: timeOrder).dataset
        }
        if FileManager.default.fileExists(atPath: folder + "/ratings.dat") {
            return try SequenceDataset.loadMovieLensDat(directory: folder).dataset
        }
        throw LocatorError("no \(name).inter (RecBole atomic) or ratings.dat (MovieLens) in \(folder)")
    }
}

public struct LocatorError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
