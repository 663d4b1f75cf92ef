/// A shell-style pattern over paths, for `--include` and `--exclude`: `*` any characters
/// but `/`, `?` one character but `/`, `[abc]`, `[a-z]`, `[!a]` one character of a set,
/// `**` any characters including `/` (`**/` also no directory at all), `\` makes the next
/// character literal. It matches a whole path, never a part of one.
public struct PathGlob: Sendable, CustomStringConvertible {
    public let pattern: String
    private let tokens: [Token]

    private enum Token: Sendable {
        case literal(Character)
        case anyInSegment
        case oneInSegment
        case set(ranges: [ClosedRange<Character>], negated: Bool)
        case anyDepth
        case directories
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ pattern: String) throws(Invalid) {
        self.pattern = pattern
        var tokens: [Token] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*" where i + 1 < chars.count && chars[i + 1] == "*":
                let slash = i + 2 < chars.count && chars[i + 2] == "/"
                tokens.append(slash ? .directories : .anyDepth)
                i += slash ? 3 : 2
                continue
            case "*": tokens.append(.anyInSegment)
            case "?": tokens.append(.oneInSegment)
            case "\\":
                guard i + 1 < chars.count else { throw Invalid(description: "pattern \(pattern) ends with a lone \\") }
                i += 1
                tokens.append(.literal(chars[i]))
            case "[":
                let (token, end) = try Self.parseSet(chars, from: i, pattern: pattern)
                tokens.append(token)
                i = end
            default: tokens.append(.literal(c))
            }
            i += 1
        }
        self.tokens = tokens
    }

    /// `[...]` starting at `start`: the token and the index of its `]`.
    private static func parseSet(_ chars: [Character], from start: Int, pattern: String) throws(Invalid) -> (Token, Int) {
        var i = start + 1
        let negated = i < chars.count && (chars[i] == "!" || chars[i] == "^")
        if negated { i += 1 }
        var ranges: [ClosedRange<Character>] = []
        var first = true
        while i < chars.count, chars[i] != "]" || first {
            first = false
            let low = chars[i]
            if i + 2 < chars.count, chars[i + 1] == "-", chars[i + 2] != "]" {
                guard low <= chars[i + 2] else {
                    throw Invalid(description: "pattern \(pattern): range \(low)-\(chars[i + 2]) is backwards")
                }
                ranges.append(low...chars[i + 2])
                i += 3
            } else {
                ranges.append(low...low)
                i += 1
            }
        }
        guard i < chars.count else { throw Invalid(description: "pattern \(pattern): '[' is never closed by ']'") }
        return (.set(ranges: ranges, negated: negated), i)
    }

    /// A pattern without `/` names files (or directories) anywhere: it is matched against
    /// the file's name as well as its path.
    public var matchesNames: Bool { !pattern.contains("/") }

    public var description: String { pattern }

    public func matches(_ path: String) -> Bool {
        let chars = Array(path)
        // memo[t][p]: does tokens[t...] match chars[p...]? (nil: not yet known)
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: chars.count + 1), count: tokens.count + 1)
        func match(_ t: Int, _ p: Int) -> Bool {
            if let known = memo[t][p] { return known }
            let result: Bool
            if t == tokens.count {
                result = p == chars.count
            } else {
                switch tokens[t] {
                case .literal(let c):
                    // Bytes, not `==`: paths and resource ids that differ only as NFC and NFD
                    // are two files, two resources (ExactText.swift).
                    result = p < chars.count && chars[p].utf8.elementsEqual(c.utf8) && match(t + 1, p + 1)
                case .oneInSegment:
                    result = p < chars.count && chars[p] != "/" && match(t + 1, p + 1)
                case .set(let ranges, let negated):
                    result = p < chars.count && chars[p] != "/"
                        && ranges.contains { $0.contains(chars[p]) } != negated && match(t + 1, p + 1)
                case .anyInSegment:
                    var end = p
                    while end < chars.count, chars[end] != "/" { end += 1 }
                    result = (p...end).contains { match(t + 1, $0) }
                case .anyDepth:
                    result = (p...chars.count).contains { match(t + 1, $0) }
                case .directories:
                    // No directory, or any run of characters that ends with '/'.
                    result = match(t + 1, p) || (p..<chars.count).contains { chars[$0] == "/" && match(t + 1, $0 + 1) }
                }
            }
            memo[t][p] = result
            return result
        }
        return match(0, 0)
    }
}

/// Where a list of patterns was given: the reason a file is left out names it, so that
/// whoever reads it knows what to change.
public enum PatternOrigin: Sendable, Equatable {
    case commandLine
    /// The configuration file's `include:` or `exclude:`, the file named as reports name it.
    case config(path: String)

    /// `--exclude`, or `.etcd-audit.yaml exclude:`, for the option or field `name`.
    func label(_ name: String) -> String {
        switch self {
        case .commandLine: return "--\(name)"
        case .config(let path): return "\(path) \(name):"
        }
    }
}

/// `--include` and `--exclude` together (or the configuration's). Exclusion wins; with no
/// include pattern, every file not excluded is selected.
public struct PathFilter: Sendable {
    public var include: [PathGlob]
    public var exclude: [PathGlob]
    public var includeOrigin: PatternOrigin
    public var excludeOrigin: PatternOrigin

    /// Selects every file.
    public init() {
        include = []
        exclude = []
        includeOrigin = .commandLine
        excludeOrigin = .commandLine
    }

    public init(include: [String], exclude: [String], includeOrigin: PatternOrigin = .commandLine,
                excludeOrigin: PatternOrigin = .commandLine) throws(PathGlob.Invalid) {
        var included: [PathGlob] = [], excluded: [PathGlob] = []
        for pattern in include { included.append(try PathGlob(pattern)) }
        for pattern in exclude { excluded.append(try PathGlob(pattern)) }
        self.include = included
        self.exclude = excluded
        self.includeOrigin = includeOrigin
        self.excludeOrigin = excludeOrigin
    }

    /// nil when a file is selected, else why not. `paths` are the ways to name it (relative
    /// to the directory walked, as shown in reports); `name` is its last component.
    public func rejection(paths: [String], name: String) -> String? {
        if let glob = exclude.first(where: { Self.matches($0, paths, name) }) {
            return "excluded by \(excludeOrigin.label("exclude")) \(glob)"
        }
        if !include.isEmpty, !include.contains(where: { Self.matches($0, paths, name) }) {
            return "matched by no \(includeOrigin.label("include")) pattern"
        }
        return nil
    }

    /// True when a directory is pruned from a walk (only `--exclude` prunes).
    public func excludesDirectory(paths: [String], name: String) -> Bool {
        exclude.contains { Self.matches($0, paths, name) }
    }

    private static func matches(_ glob: PathGlob, _ paths: [String], _ name: String) -> Bool {
        paths.contains { glob.matches($0) } || (glob.matchesNames && glob.matches(name))
    }
}
