#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum HostName {
    static func current() throws -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "algo-1" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// CatBoost's progress line: `i:\tlearn: v\ttest: v\tbest: v (i)\ttotal: t\tremaining: t`.
func progressLine(
    iteration: Int, learn: Double, eval: Double?, best: (Int, Double)?, elapsed: Double, total: Int
) -> String {
    var line = "\(iteration):\tlearn: \(formatFixed(learn, decimals: 7))"
    if let eval { line += "\ttest: \(formatFixed(eval, decimals: 7))" }
    if let best { line += "\tbest: \(formatFixed(best.1, decimals: 7)) (\(best.0))" }
    let remaining = elapsed / Double(iteration + 1) * Double(total - iteration - 1)
    line += "\ttotal: \(formatDuration(elapsed))\tremaining: \(formatDuration(remaining))"
    return line
}

/// `value` with exactly `decimals` digits after the point (C's %.*f).
func formatFixed(_ value: Double, decimals: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([decimals, value]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Up to 6 significant digits, no trailing zeros (C's %g), as CatBoost prints a learning rate.
func formatShort(_ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%g", $0) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// CatBoost's durations: 3 significant digits in us, ms or s; minutes and hours beyond.
func formatDuration(_ seconds: Double) -> String {
    func significant(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : (value >= 10 ? 1 : 2)
        return formatFixed(value, decimals: decimals)
    }
    if seconds < 1e-3 { return significant(seconds * 1e6) + "us" }
    if seconds < 1 { return significant(seconds * 1e3) + "ms" }
    if seconds < 60 { return significant(seconds) + "s" }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return "\(whole / 60)m \(whole % 60)s" }
    return "\(whole / 3600)h \(whole % 3600 / 60)m \(whole % 60)s"
}
