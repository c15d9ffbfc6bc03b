#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

package enum LineReaderError<BodyError: Error>: Error {
    case read(String)
    case body(BodyError)
}
