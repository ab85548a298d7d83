// One-call loading of a dataset from RecBole atomic files or MovieLens .dat files.

import Foundation

extension SequenceDataset {
    /// Loads `<directory>/<name>.inter` and, when present, `<directory>/<name>.item`
    /// (RecBole's layout: `ml-1m/ml-1m.inter`).
    /// - Parameters:
    ///   - directory: the folder holding the files.
    ///   - name: the dataset name, the files' stem.
    ///   - options: strict (default) or lenient handling of bad rows; a lenient read's
    ///     counts are in the returned reports.
    ///   - timeOrder: how sequences order interactions (``TimeOrder``).
    /// - Returns: the dataset and the reports of the files read (interactions first).
    /// - Throws: ``DataError`` as ``InteractionLog/readAtomic(path:options:)`` and
    ///   ``ItemCatalog/readAtomic(path:options:)``.
    public static func loadAtomic(
        directory: String, name: String, options: ReadOptions = .strict, timeOrder: TimeOrder = .exact
    ) throws -> (dataset: SequenceDataset, reports: [ReadReport]) {
        let stem = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        let log = try InteractionLog.readAtomic(path: stem + ".inter", options: options)
        var catalog: ItemCatalog?
        if FileSystem.isFile(stem + ".item") {
            catalog = try ItemCatalog.readAtomic(path: stem + ".item", options: options)
        }
        return (SequenceDataset(log: log, catalog: catalog, timeOrder: timeOrder), [log.report] + (catalog.map { [$0.report] } ?? []))
    }

    /// Loads MovieLens `ratings.dat` and, when present, `movies.dat` from `directory`.
    /// - Throws: ``DataError`` as ``MovieLensDat/readRatings(path:options:)`` and
    ///   ``MovieLensDat/readMovies(path:options:)``.
    public static func loadMovieLensDat(
        directory: String, options: ReadOptions = .strict
    ) throws -> (dataset: SequenceDataset, reports: [ReadReport]) {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        let log = try MovieLensDat.readRatings(path: folder + "ratings.dat", options: options)
        var catalog: ItemCatalog?
        if FileSystem.isFile(folder + "movies.dat") {
            catalog = try MovieLensDat.readMovies(path: folder + "movies.dat", options: options)
        }
        return (SequenceDataset(log: log, catalog: catalog), [log.report] + (catalog.map { [$0.report] } ?? []))
    }
}

enum FileSystem {
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
