// The router's answer: which fusion tower a prompt goes through, and how sure the router is.

/// The polarity of a prompt: does the user ask *for* something or want to *avoid* something?
///
/// Steer fuses a positive prompt through the positive tower (boost what matches) and a
/// negative one through the negative tower (suppress what matches); the README's "Promptable recommendation" section describes the two towers.
public enum Polarity: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The user asks for something ("I want a comedy", "I wouldn't say no to a western").
    case positive
    /// The user wants to avoid something ("no horror tonight", "anything but musicals").
    case negative

    public var description: String { rawValue }
}

/// One routing decision.
public struct RouteDecision: Sendable, Hashable, CustomStringConvertible {
    /// The chosen polarity.
    public let polarity: Polarity
    /// The classifier's probability of ``polarity``, in 0.5…1.
    public let confidence: Double

    /// A decision from the probability that the prompt is positive (ties go to positive:
    /// Steer's no-cue default is "the user asks for something").
    public init(positiveProbability p: Double) {
        if p >= 0.5 {
            polarity = .positive
            confidence = p
        } else {
            polarity = .negative
            confidence = 1 - p
        }
    }

    /// The probability that the prompt is positive (the inverse of ``init(positiveProbability:)``).
    public var positiveProbability: Double { polarity == .positive ? confidence : 1 - confidence }

    public var description: String {
        "\(polarity) (\((confidence * 1000).rounded() / 10)%)"
    }
}
