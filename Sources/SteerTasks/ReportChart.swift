// The Table-1 report as a grouped bar chart (SVG): NDCG@10 averaged over N, per task and model.
import Foundation

/// Draws a ``ControllableReport`` as one panel per task (SEQ, POS, NEG) with one bar per model,
/// value labels on the bars: the comparison a reader looks for, at a glance.
public enum ReportChart {
    /// Bar colours by model kind: Base grey, Filter orange (darker for +f variants), the genre-set
    /// reference filters ochre, DPR blue (light when routed), DPR ablation variants teal.
    static func colour(_ model: String) -> String {
        if model.contains("routed") { return "#8fb3e0" }
        if model.contains("DPR (") { return "#2e9e8f" }
        if model.contains("DPR") { return "#1f5fa8" }
        if model.hasSuffix(RankingMethod.allTargetGenresQualifier) || model.hasSuffix(RankingMethod.exactGenreSetQualifier) {
            return model.contains("+f") ? "#9c7a12" : "#d9b23c"
        }
        if model.contains("Filter") { return model.contains("+f") ? "#b9661b" : "#e8953f" }
        return model.contains("+f") ? "#7b7b7b" : "#b5b5b5"
    }

    /// The SVG of `report` at cutoff `k`.
    public static func svg(_ report: ControllableReport, cutoff k: Int = 10) -> String {
        let tasks = ControllableReport.Task.allCases.filter { t in report.entries.contains { $0.task == t } }
        let models = report.models
        let barWidth = 26.0, gap = 8.0, panelGap = 40.0, top = 60.0, height = 240.0, left = 30.0
        var values: [[Double?]] = tasks.map { t in models.map { report.averaged(model: $0, task: t)?.ndcg(at: k) } }
        let peak = max(0.05, values.flatMap { $0 }.compactMap { $0 }.max() ?? 0.05) * 1.15
        var x = left
        var body = ""
        for (ti, task) in tasks.enumerated() {
            let present = models.indices.filter { values[ti][$0] != nil }
            let width = Double(present.count) * (barWidth + gap)
            body += "<text x=\"\(x + width / 2)\" y=\"\(top + height + 22)\" text-anchor=\"middle\" font-weight=\"bold\">\(task.rawValue)</text>\n"
            for (j, m) in present.enumerated() {
                let v = values[ti][m]!
                let h = v / peak * height, bx = x + Double(j) * (barWidth + gap)
                body += "<rect x=\"\(bx)\" y=\"\(top + height - h)\" width=\"\(barWidth)\" height=\"\(h)\" fill=\"\(colour(models[m]))\"><title>\(escape(models[m])) \(String(format: "%.4f", v))</title></rect>\n"
                body += "<text x=\"\(bx + barWidth / 2)\" y=\"\(top + height - h - 4)\" text-anchor=\"middle\" font-size=\"9\">\(String(format: "%.3f", v))</text>\n"
            }
            x += width + panelGap
        }
        values.removeAll()
        var legendY = top
        var legend = ""
        for model in models {
            legend += "<rect x=\"\(x)\" y=\"\(legendY - 10)\" width=\"12\" height=\"12\" fill=\"\(colour(model))\"/><text x=\"\(x + 18)\" y=\"\(legendY)\" font-size=\"11\">\(escape(model))</text>\n"
            legendY += 18
        }
        let totalWidth = x + 260
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(totalWidth)" height="\(top + height + 50)" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="14" font-weight="bold">\(escape(report.title))</text>
        <text x="\(left)" y="42" fill="#555">NDCG@\(k), averaged over N ∈ {\(report.windows.map(String.init).joined(separator: ", "))}</text>
        <line x1="\(left - 5)" y1="\(top + height)" x2="\(x - panelGap + 5)" y2="\(top + height)" stroke="#333"/>
        \(body)\(legend)</svg>

        """
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
