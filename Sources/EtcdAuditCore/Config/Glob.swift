/// A shell-style pattern over names (rule ids, resource types and ids): `*` any run of
/// characters, `?` one character, anything else itself. Paths use `PathGlob`, which
/// knows folders.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    enum Token: Hashable {
        case literal(Character)
        case one  // ?
        case run  // *
    }

    public let pattern: String
    private let tokens: [Token]

    public init(_ pattern: String) {
        self.pattern = pattern
        tokens = pattern.map { $0 == "?" ? .one : $0 == "*" ? .run : .literal($0) }
    }

    public var description: String { pattern }

    public func matches(_ text: String) -> Bool {
        let chars = Array(text)
        // memo[t][c]: whether tokens[t...] match chars[c...]; patterns and names are short.
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: chars.count + 1), count: tokens.count + 1)
        func match(_ t: Int, _ c: Int) -> Bool {
            if let known = memo[t][c] { return known }
            let result: Bool
            if t == tokens.count {
                result = c == chars.count
            } else {
                switch tokens[t] {
                case .literal(let expected): result = c < chars.count && chars[c] == expected && match(t + 1, c + 1)
                case .one: result = c < chars.count && match(t + 1, c + 1)
                case .run: result = match(t + 1, c) || (c < chars.count && match(t, c + 1))
                }
            }
            memo[t][c] = result
            return result
        }
        return match(0, 0)
    }
}
