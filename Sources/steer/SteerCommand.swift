// The `steer` command: `steer serve` runs steerd; the other subcommands are its clients.
import ArgumentParser

@main
struct SteerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steer",
        abstract: "Steer: a promptable sequential recommender, served over a Unix socket.",
        subcommands: [
            ServeCommand.self,
            HealthCommand.self, EmbedCommand.self, RouteCommand.self, RetrieveCommand.self, EncodeCommand.self,
            ListBackbonesCommand.self, LoadBackboneCommand.self,
            SaveSnapshotCommand.self, LoadSnapshotCommand.self, StatsCommand.self,
            RecommendCommand.self, FuseCommand.self,
            RecommendHistoryCommand.self, ShowcaseCommand.self, TrainCommand.self, TrainDPRCommand.self, EvalCommand.self, RouterCommand.self,
            IndexCommand.self, ImportCommand.self, ExportCommand.self, BenchCommand.self,
        ])
}
