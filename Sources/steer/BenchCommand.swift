// `steer bench`: benchmarks that print figures, never timed tests.
import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks (build with -c release for real figures).",
                                                    subcommands: [BenchRPCCommand.self, BenchSwapCommand.self, BenchRetrieveCommand.self, BenchTrainCommand.self, BenchEmbedCommand.self])
}
