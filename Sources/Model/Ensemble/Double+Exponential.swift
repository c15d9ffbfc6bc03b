extension Double {
    // Model must not import Foundation; Glibc's exp is reached through this one funnel.
    @inline(__always)
    var exp: Double { _exp(self) }
}
