public enum BootstrapType: String, Sendable, Hashable, CaseIterable {
    case mvs = "MVS"
    case bernoulli = "Bernoulli"
    case bayesian = "Bayesian"
    case no = "No"
}
