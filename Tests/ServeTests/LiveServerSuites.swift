import Testing

/// The suites that run a server in this process and block a test thread waiting for its answers.
///
/// The server loads its model and evaluates batches on the cooperative thread pool, one thread
/// per core; test functions run on the same pool. Two of these suites at once on a 2-core machine
/// hold both threads in blocking reads, and the server they wait for never runs. Nested here,
/// they run one after another.
@Suite(.serialized)
enum LiveServerSuites {}
