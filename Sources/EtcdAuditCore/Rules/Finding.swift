public enum Severity: String, CaseIterable, Sendable, Codable, Comparable {
    case info, warning, error

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One violation: which rule, which resource, what differed, and where to look.
public struct Finding: Hashable, Sendable, Codable {
    public var rule: String
    public var severity: Severity
    public var resourceType: String
    public var resourceID: String
    public var message: String
    public var keys: [String]
    public var expected: String?
    public var actual: String?
    public var location: SourceLocation

    enum CodingKeys: String, CodingKey {
        case rule, severity, message, keys, expected, actual, location
        case resourceType = "resource_type"
        case resourceID = "resource_id"
    }

    /// The order of every report: by resource, then rule, then place.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.resourceType != b.resourceType { return a.resourceType < b.resourceType }
        if a.resourceID != b.resourceID { return a.resourceID < b.resourceID }
        if a.rule != b.rule { return a.rule < b.rule }
        if a.location != b.location { return a.location < b.location }
        if a.keys != b.keys { return a.keys.lexicographicallyPrecedes(b.keys) }
        return a.message < b.message
    }
}
