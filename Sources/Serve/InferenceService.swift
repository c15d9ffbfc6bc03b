/// Starts the SageMaker inference server.
public enum InferenceService {
    /// Binds, starts the I/O thread and loads the model in the background; /ping answers 503
    /// until the model is ready.
    public static func start(
        configuration: ServerConfiguration, log: @escaping @Sendable (String) -> Void
    ) throws(ServeError) -> RunningServer {
        try InferenceServer.start(configuration: configuration, log: log)
    }
}
