extension CSVRowParser {
    /// One line's bytes (its `\r` cut off) and what an error about it must name.
    struct RowText {
        let bytes: UnsafePointer<UInt8>
        let end: Int
        /// The last offset with 16 readable bytes from it (`ShortDecimalScanner`'s reach).
        let scanEnd: Int
        let lineNumber: Int
        let categoryByteCountMax: Int

        @inline(__always)
        func field(_ start: Int, _ fieldEnd: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: bytes + start, count: fieldEnd &- start)
        }

        /// An error about the field starting at `start` in `column` (from 1), quoting its start.
        func error(column: Int, from start: Int, _ message: String) -> CSVError {
            let shownCount = min(end &- start, 40)
            let shown = String(decoding: field(start, start &+ shownCount), as: UTF8.self)
            let more = start &+ shownCount < end ? "…" : ""
            return CSVError(line: lineNumber, column: column, message: "'\(shown)\(more)': \(message)")
        }
    }
}
