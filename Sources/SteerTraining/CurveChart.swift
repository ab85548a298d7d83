// Learning curves as a small self-contained SVG: training loss and validation NDCG@10 per epoch.
import Foundation

public enum CurveChart {
    /// Two panels side by side; values are scaled to each panel's own range.
    public static func svg(history: [EpochRecord], title: String) -> String {
        let width = 820.0, height = 320.0, panel = 360.0, top = 50.0, plotHeight = 220.0
        func polyline(_ points: [(Int, Double)], x0: Double, color: String) -> (String, Double, Double) {
            guard let lo = points.map(\.1).min(), let hi = points.map(\.1).max(), let last = points.last?.0 else { return ("", 0, 0) }
            let span = hi - lo > 1e-12 ? hi - lo : 1
            let xs = { (e: Int) in x0 + Double(e - 1) / Double(max(1, last - 1)) * panel }
            let ys = { (v: Double) in top + plotHeight - (v - lo) / span * plotHeight }
            let coordinates = points.map { "\(xs($0.0)),\(ys($0.1))" }.joined(separator: " ")
            return ("<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(coordinates)\"/>", lo, hi)
        }
        let loss = polyline(history.map { ($0.epoch, $0.trainLoss) }, x0: 50, color: "#c0392b")
        let ndcg = polyline(history.compactMap { r in r.validNDCG10.map { (r.epoch, $0) } }, x0: 450, color: "#2471a3")
        func frame(_ x0: Double, _ label: String, _ lo: Double, _ hi: Double) -> String {
            """
            <rect x="\(x0)" y="\(top)" width="\(panel)" height="\(plotHeight)" fill="none" stroke="#999"/>
            <text x="\(x0)" y="\(top - 8)" font-size="13">\(label)</text>
            <text x="\(x0 - 4)" y="\(top + 10)" font-size="10" text-anchor="end">\(String(format: "%.4f", hi))</text>
            <text x="\(x0 - 4)" y="\(top + plotHeight)" font-size="10" text-anchor="end">\(String(format: "%.4f", lo))</text>
            <text x="\(x0 + panel)" y="\(top + plotHeight + 16)" font-size="10" text-anchor="end">epoch \(history.last?.epoch ?? 0)</text>
            """
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="50" y="22" font-size="15" font-weight="bold">\(title)</text>
        \(frame(50, "training loss (cross-entropy over all items)", loss.1, loss.2))
        \(loss.0)
        \(frame(450, "validation NDCG@10", ndcg.1, ndcg.2))
        \(ndcg.0)
        </svg>
        """
    }
}
