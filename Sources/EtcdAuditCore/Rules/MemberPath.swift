/// The member of a record's value a finding is about, as a check names it: object
/// members by name, array elements by index or by the value of one of their members
/// (`output[output_key=mac_address]`), and a string holding JSON entered as its decoded
/// value (a state's `heat_outputs`). Checks name members this way because the join keeps
/// no positions: `FindingLocator` finds the member in the record's bytes, only for
/// findings, and turns the path into a line, a column and an RFC 6901 pointer.
public struct MemberPath: Hashable, Sendable, CustomStringConvertible {
    public enum Step: Hashable, Sendable {
        case member(String)
        case index(Int)
        /// The `occurrence`-th element (1-based) of an array whose members `match` all
        /// hold the given string values.
        case element(matching: [Match], occurrence: Int)
        /// The current value is a string holding JSON: go on inside what it decodes to.
        case decoded
    }

    public struct Match: Hashable, Sendable {
        public var member: String
        public var value: String
        public init(_ member: String, _ value: String) {
            self.member = member
            self.value = value
        }
    }

    public var steps: [Step]

    public init(_ steps: [Step] = []) { self.steps = steps }

    /// A path of member names only: `MemberPath("body", "mac_address")`.
    public init(_ names: String...) { steps = names.map(Step.member) }

    public func appending(_ step: Step) -> MemberPath { MemberPath(steps + [step]) }
    public func member(_ name: String) -> MemberPath { appending(.member(name)) }
    public func index(_ i: Int) -> MemberPath { appending(.index(i)) }
    public func element(where member: String, is value: String, occurrence: Int = 1) -> MemberPath {
        appending(.element(matching: [Match(member, value)], occurrence: occurrence))
    }
    public func element(matching: [Match], occurrence: Int = 1) -> MemberPath {
        appending(.element(matching: matching, occurrence: occurrence))
    }

    /// The RFC 6901 pointer of the path when it names every element by index (no
    /// `element(matching:)` step left to resolve); `decoded` steps are not part of a
    /// pointer, which ends at the string that holds the JSON.
    public var pointer: String? {
        var out = ""
        for step in steps {
            switch step {
            case .member(let name): out += "/" + Self.escape(name)
            case .index(let i): out += "/\(i)"
            case .element: return nil
            case .decoded: return out
            }
        }
        return out
    }

    static func escape(_ name: String) -> String {
        // Nearly no name holds either: Foundation's replacing cost 10,000 instructions a
        // name even then, several names for every finding located.
        guard name.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return name }
        return name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// For messages and tests: `/output[output_key=mac_address]/output_value`.
    public var description: String {
        steps.map { step in
            switch step {
            case .member(let name): return "/" + Self.escape(name)
            case .index(let i): return "/\(i)"
            case .element(let matches, let n):
                let inner = matches.map { "\($0.member)=\($0.value)" }.joined(separator: ",")
                return "[\(inner)]" + (n == 1 ? "" : "#\(n)")
            case .decoded: return "(decoded)"
            }
        }.joined()
    }
}

extension MemberPath {
    /// A job's job object (element 1 of `[handler, job, retries]`).
    static let jobObject = MemberPath([.index(1)])
    /// A record's top-level `version`.
    static let version = MemberPath("version")

    /// A job param, by its name: `/1/params[param=NAME]`.
    static func jobParam(_ name: String, occurrence: Int = 1) -> MemberPath {
        jobObject.member("params").element(where: "param", is: name, occurrence: occurrence)
    }
}
