/// A shell-style pattern, as people write them in `.etcd-audit.yaml`: `*` any run of
/// characters, `?` one character, anything else itself. In path patterns `*` and `?` stop
/// at `/`, `**` crosses folders and `**/` also matches no folder at all (`**/x.md` matches
/// `x.md`), as in .gitignore and most CI tools.
public struct Glob: Sendable, Hashable, CustomStringConvertible {
    enum Token: Hashable {
        case literal(Character)
        case one       // ?
        case run       // *
        case anything  // ** (paths)
        case folders   // **/ (paths): "" or anything ending in /
    }

    public let pattern: String
    public let isPath: Bool
    private let tokens: [Token]

    public init(_ pattern: String, path: Bool = false) {
        self.pattern = pattern
        isPath = path
        var tokens: [Token] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            switch chars[i] {
            case "?": tokens.append(.one)
            case "*" where path && i + 1 < chars.count && chars[i + 1] == "*":
                if i + 2 < chars.count && chars[i + 2] == "/" {
                    tokens.append(.folders)
                    i += 2
                } else {
                    tokens.append(.anything)
                    i += 1
                }
            case "*": tokens.append(.run)
            default: tokens.append(.literal(chars[i]))
            }
            i += 1
        }
        self.tokens = tokens
    }

    public var description: String { pattern }

    /// True when the pattern has a wildcard (otherwise it names one thing exactly).
    public var hasWildcard: Bool { tokens.contains { if case .literal = $0 { false } else { true } } }

    public func matches(_ text: String) -> Bool {
        let chars = Array(text)
        // memo[t][c]: whether tokens[t...] match chars[c...]; patterns and texts are short.
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: chars.count + 1), count: tokens.count + 1)
        func match(_ t: Int, _ c: Int) -> Bool {
            if let known = memo[t][c] { return known }
            let result: Bool
            if t == tokens.count {
                result = c == chars.count
            } else {
                switch tokens[t] {
                case .literal(let expected):
                    result = c < chars.count && chars[c] == expected && match(t + 1, c + 1)
                case .one:
                    result = c < chars.count && !(isPath && chars[c] == "/") && match(t + 1, c + 1)
                case .run:
                    result = match(t + 1, c) || (c < chars.count && !(isPath && chars[c] == "/") && match(t, c + 1))
                case .anything:
                    result = match(t + 1, c) || (c < chars.count && match(t, c + 1))
                case .folders:
                    // Zero folders, or any text up to and including a `/`.
                    result = match(t + 1, c) || (c..<chars.count).contains { chars[$0] == "/" && match(t + 1, $0 + 1) }
                }
            }
            memo[t][c] = result
            return result
        }
        return match(0, 0)
    }
}
