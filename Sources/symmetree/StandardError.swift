import ArgumentParser
import Logging
import Model
import Serve
import Train
import IOUring

#if canImport(Glibc)
@preconcurrency import Glibc
#endif

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { fputs(string, stderr) }
}

/// Reports a failure the way every subcommand does: one line on stderr, exit status 1.
func fail(_ message: String) -> ExitCode {
    var standardError = StandardError()
    print("symmetree: \(message)", to: &standardError)
    return ExitCode.failure
}
