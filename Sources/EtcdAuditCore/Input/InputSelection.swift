import Foundation

/// A file not audited, and why (the reports' `skipped_files`).
public struct SkippedFile: Sendable, Codable, Equatable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The files `check` audits: those named on the command line, and those found by walking
/// the directories named there. A walk is recursive and sorted by path bytes; it skips
/// hidden entries (`.git`, `.cache`, any name starting with `.`) without listing them,
/// and does not follow symbolic links (to files or directories: listed as skipped), so
/// it never leaves the tree nor loops. A directory or link named on the command line is
/// followed: it was asked for. `--include`/`--exclude` apply to files named and walked
/// alike (a gate's filters hold whatever pre-commit passes), never to `-`.
public struct InputSelection: Sendable {
    public var inputs: [AuditInput]
    /// Files left out before reading: links met while walking, other non-regular files,
    /// and files named on the command line that the filter rejects. Walked files the
    /// filter rejects are not listed: they were asked to be left out.
    public var skipped: [SkippedFile]
    /// Each directory named, with the files its walk selected: one where none gives
    /// records is an input error, like a file that gives none.
    public var directories: [(path: String, files: [String])] = []

    public init(inputs: [AuditInput], skipped: [SkippedFile] = []) {
        self.inputs = inputs
        self.skipped = skipped
    }

    /// Expands the command line's arguments. Fails only on a directory that cannot be
    /// listed; a missing file stays an input, whose reading reports it.
    public init(arguments: [String], filter: PathFilter = PathFilter()) throws {
        var inputs: [AuditInput] = []
        var skipped: [SkippedFile] = []
        var directories: [(path: String, files: [String])] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if argument != "-", FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory),
               isDirectory.boolValue {
                var found: [String] = []
                try Self.walk(root: argument, relative: "", filter: filter, found: &found, skipped: &skipped)
                found.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                inputs += found.map(AuditInput.walked)
                directories.append((argument, found))
            } else if argument != "-",
                      let why = filter.rejection(paths: [Self.displayed(argument)], name: Self.lastComponent(argument)) {
                skipped.append(SkippedFile(path: argument, reason: why))
            } else {
                inputs.append(.file(argument))
            }
        }
        self.inputs = inputs
        self.skipped = skipped
        self.directories = directories
    }

    private static func walk(root: String, relative: String, filter: PathFilter,
                             found: inout [String], skipped: inout [SkippedFile]) throws {
        let directory = join(root, relative)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)
        } catch {
            throw InputError(path: directory, offset: nil,
                             message: "cannot list this directory (\(error.localizedDescription)): check its permissions")
        }
        for name in names where !name.hasPrefix(".") {
            let inTree = relative.isEmpty ? name : relative + "/" + name
            let path = join(root, inTree)
            let paths = [inTree, displayed(path)]
            // attributesOfItem does not follow a link: the link itself is seen.
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            if type == nil, name.unicodeScalars.contains("\u{FFFD}") {
                // The listing gave the name with U+FFFD for bytes that are not UTF-8: no
                // such path opens, and skipping it would let a gate pass without it.
                throw InputError(path: path, offset: nil, message: "this name in \(directory.isEmpty ? "." : directory) "
                                 + "is not valid UTF-8 (shown with U+FFFD), so etcd-audit cannot open it: rename it")
            }
            if type == .typeDirectory {
                if !filter.excludesDirectory(paths: paths, name: name) {
                    try walk(root: root, relative: inTree, filter: filter, found: &found, skipped: &skipped)
                }
                continue
            }
            guard filter.rejection(paths: paths, name: name) == nil else { continue }
            switch type {
            case .typeRegular?: found.append(path)
            case .typeSymbolicLink?: skipped.append(SkippedFile(path: path, reason: "symbolic link, not followed"))
            default: skipped.append(SkippedFile(path: path, reason: "not a regular file"))
            }
        }
    }

    /// `root/relative`, without a doubled `/`, and without `./` when the root is `.`.
    private static func join(_ root: String, _ relative: String) -> String {
        if relative.isEmpty { return root }
        if root == "." || root == "./" { return relative }
        return root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// A path as reports show it and patterns match it: without a leading `./`.
    private static func displayed(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }

    private static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
