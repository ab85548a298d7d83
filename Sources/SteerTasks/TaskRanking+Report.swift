// One call that measures a model variant on every window's POS and NEG tasks into a report.

extension TaskRanking {
    /// Evaluates `model` (a row label such as `GRU4Rec Filter+f`) with `method` on the POS
    /// and NEG tasks of every set in `taskSets` (POS only for a method that ranks POS only),
    /// recording each window's means in `report`.
    /// - Parameters:
    ///   - taskSets: from ``TaskBuilder/taskSets(windows:part:)``.
    ///   - queries: per-user or per-case vectors (Base, Filter), or per-task vectors in the
    ///     order POS then NEG of each set, sets in order (a prompt-conditioned model).
    ///   - items: [V, d] item embeddings; `dimension` d; `itemBias` optional [V].
    /// - Throws: as ``evaluate(_:method:queries:items:dimension:itemBias:)``.
    public func evaluate(
        model: String, method: RankingMethod, taskSets: [TaskSet], queries: QueryVectors, items: [Float],
        dimension: Int, itemBias: [Float]? = nil, into report: inout ControllableReport
    ) throws {
        var offset = 0
        for set in taskSets {
            for polarity in TaskPolarity.allCases {
                let tasks = set.tasks(polarity)
                if tasks.isEmpty { continue }  // a row measured on one polarity only leaves the other's cells empty
                let slice: QueryVectors
                switch queries {
                case .perUser, .perCase: slice = queries
                case .perTask(let vectors):
                    let end = offset + tasks.count * dimension
                    guard end <= vectors.count else {
                        throw TasksError.shapeMismatch("\(vectors.count) per-task floats are fewer than the tasks × d = \(dimension)")
                    }
                    slice = .perTask(Array(vectors[offset..<end]))
                    offset = end
                }
                // The POS-only references leave the NEG cells empty (their vectors, if per task, are skipped).
                if !method.applies(to: polarity) { continue }
                let metrics = try evaluate(
                    tasks, method: method, queries: slice, items: items, dimension: dimension, itemBias: itemBias).mean
                report.append(model: model, task: ControllableReport.Task(polarity), window: set.window, metrics: metrics)
            }
        }
        if case .perTask(let vectors) = queries, offset != vectors.count {
            throw TasksError.shapeMismatch("\(vectors.count) per-task floats but the tasks use \(offset)")
        }
    }
}
