#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import IOUring
public import Logging
import Model

/// Starts the SageMaker inference server: the one public way in. `InferenceServer` is what runs
/// on the event loop once started.
public enum InferenceService {
    /// Binds, starts the I/O thread, the batcher's task and (single-model endpoints) the model's
    /// background load; returns once the loop is running. /ping answers 503 until the model is
    /// ready; a multi-model endpoint is ready at once.
    public static func start(
        configuration: ServerConfiguration, logger: Logger
    ) throws(ServeError) -> RunningServer {
        let listener = try ListeningSocket(host: configuration.host, port: configuration.port)
        let maxConnections = DescriptorLimit.current
        let started = StartResult()
        let stopFlag = Flag()
        let handOff = HandOff()
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let model = ModelSlot()
        let loads = Mailbox<ModelLoadResult>()
        let finished = OneShotEvent()
        let thread = LoopThread.start {
            defer { finished.signal() }
            let loop: EventLoop
            do throws(EventLoopError) {
                loop = try EventLoop(
                    listenFD: listener.fd, maxConnections: maxConnections, preference: configuration.backend,
                    injectedFailure: configuration.ioUringSetupFailure)
            } catch {
                started.publish(.failure(ServeError("cannot start the event loop: \(error.description)")))
                return
            }
            let server = InferenceServer(
                configuration: configuration, loop: loop, handOff: handOff, model: model, loads: loads,
                ticks: continuation, stopRequested: stopFlag, logger: logger)
            if configuration.multiModel {
                logger.info("Multi-model endpoint: models load through POST /models; budget \(server.registry.budgetBytes >> 20) MB of models")
            }
            loop.delegate = server
            if let reason = loop.ioUringUnavailableReason { logger.notice("io_uring is not available (\(reason)); using epoll") }
            started.publish(.success((loop.backend, loop.waker)))
            loop.run()
            continuation.finish()
            listener.close()
        }
        let (backend, waker): (Backend, Waker)
        switch started.wait() {
        case .success(let value): (backend, waker) = value
        case .failure(let error):
            thread.join()
            listener.close()
            throw error
        }
        let running = RunningServer(port: listener.port, backend: backend, waker: waker, thread: thread, stopRequested: stopFlag, finished: finished)
        logger.notice("Listening on \(configuration.host):\(listener.port) with \(backend.rawValue)")
        // The batcher belongs to the one task that consumes the doorbell, off the I/O thread.
        Task.detached {
            var batcher = Batcher(
                handOff: handOff, waker: waker, byteBudget: configuration.batchByteBudget, parallelism: configuration.parallelism)
            for await _ in stream { await batcher.drain() }
        }
        if !configuration.multiModel { loadModel(from: configuration.modelDirectory, into: model, waker: waker, logger: logger) }
        return running
    }

    /// Loads the one model of a single-model endpoint in the background (/ping answers 503 meanwhile).
    private static func loadModel(
        from directory: String, into model: ModelSlot, waker: Waker, logger: Logger
    ) {
        Task.detached {
            let state: ModelState
            do {
                let path = try ModelLocator.find(in: directory)
                let ensemble = try ModelLoader.load(path: path)
                let evaluator = Evaluator(ensemble)
                state = .ready(evaluator)
                logger.info("Model loaded from \(path): \(ensemble.trees.count) trees, \(evaluator.columnCount) input columns, \(evaluator.instructionLevel) tree pass")
            } catch {
                state = .failed("\(error)")
                logger.error("Model failed to load: \(error)")
            }
            model.set(state)
            waker.wake()
        }
    }
}
