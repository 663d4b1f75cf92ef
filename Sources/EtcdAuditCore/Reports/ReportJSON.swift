import Foundation

/// A JSON value read from an earlier report and written out again unchanged: a baseline's
/// resolved findings are listed as that report had them, whatever its schema version.
public indirect enum ReportJSON: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([ReportJSON])
    case object([String: ReportJSON])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let value = try? c.decode(Bool.self) { self = .bool(value); return }
        // Whole numbers first, so a line number stays `12`, not `12.0`.
        if let value = try? c.decode(Int64.self) { self = .integer(value); return }
        if let value = try? c.decode(Double.self) { self = .number(value); return }
        if let value = try? c.decode(String.self) { self = .string(value); return }
        if let value = try? c.decode([ReportJSON].self) { self = .array(value); return }
        self = .object(try c.decode([String: ReportJSON].self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let value): try c.encode(value)
        case .integer(let value): try c.encode(value)
        case .number(let value): try c.encode(value)
        case .string(let value): try c.encode(value)
        case .array(let value): try c.encode(value)
        case .object(let value): try c.encode(value)
        }
    }

    public subscript(member member: String) -> ReportJSON? {
        if case .object(let members) = self { return members[member] }
        return nil
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}
