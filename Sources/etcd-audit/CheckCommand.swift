import ArgumentParser
import EtcdAuditCore
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Audit one or more etcd dumps, or a live etcd, as one store (or each file alone, with --per-file).",
        discussion: """
            Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, \
            2 usage error, unreadable input, an input without records or invalid rules \
            (reports are still written).
            """)

    @Argument(help: "Dumps to audit (markdown, etcdctl, etcdctl-json, jsonl, etcd-v2, snapshot; .gz works; - is stdin), or directories to walk.")
    var inputs: [String] = []

    @Flag(name: .customLong("per-file"), inversion: .prefixedNo,
          help: "Audit each file as its own store (fixtures, one scenario each), not all together (default: the configuration's per_file, else no).")
    var perFile: Bool?

    @Option(name: .customLong("include"), help: "Audit only files matching this glob (repeatable; * ? [..] and ** for any depth).")
    var include: [String] = []

    @Option(name: .customLong("exclude"), help: "Leave out files and directories matching this glob (repeatable; wins over --include).")
    var exclude: [String] = []

    @Option(name: .customLong("endpoint"),
            help: "A live etcd's client URL, read (only read) through its v3 JSON gateway (repeatable or comma-separated: members of one cluster, the first that answers is read).")
    var endpoints: [String] = []

    @Option(help: "The store's revision to audit, from snapshots (any revision since their last compaction) or --endpoint (default: the newest). Other inputs cannot go back in time: an error.")
    var revision: Int64?

    @Option(name: .customLong("page-size"), help: "With --endpoint: keys asked for per request (default \(EndpointOptions.defaultPageSize)).")
    var pageSize: Int?

    @Option(help: "With --endpoint: the CA certificate that signed the server's (PEM), as etcdctl's --cacert (default: $ETCDCTL_CACERT).")
    var cacert: String?

    @Option(help: "With --endpoint: the client certificate (PEM), as etcdctl's --cert (default: $ETCDCTL_CERT).")
    var cert: String?

    @Option(help: "With --endpoint: the client certificate's key (PEM), as etcdctl's --key (default: $ETCDCTL_KEY).")
    var key: String?

    @Option(help: "With --endpoint: the user when etcd's auth is enabled (default: $ETCDCTL_USER); the password comes from --password-file, else $ETCDCTL_PASSWORD, else the terminal. NAME:PASSWORD works, with a warning: ps shows it to every user.")
    var user: String?

    @Option(name: .customLong("password-file"),
            help: "With --endpoint and a user: the file whose first line is the password (beats $ETCDCTL_PASSWORD).")
    var passwordFile: String?

    @Option(help: "Input format, instead of detecting it from the first bytes.")
    var format: InputFormat?

    @Option(name: .customLong("report"),
            help: "Report format: json, junit, text, sarif, github, gitlab, checkstyle, prometheus, jsonl, html (repeatable; default text).")
    var reports: [ReportFormat] = []

    @Option(name: .customLong("output"), help: "File for the report of the same position (repeatable; default stdout).")
    var outputs: [String] = []

    @Option(help: "A JSON report of an earlier audit: mark each finding new or existing, fail only on new ones, list the resolved ones.")
    var baseline: String?

    @Option(name: .customLong("write-baseline"),
            help: "Also write the JSON report (every finding, with its fingerprint) to this file: the next run's --baseline.")
    var writeBaseline: String?

    @Option(name: .customLong("fail-on"), help: "Lowest severity that makes the exit status 1: error, warning, info, never (default: the configuration's fail_on, else error).")
    var failOn: FailOn?

    @Option(help: "Lowest severity the text, GitHub and JUnit reports list: error, warning, info (default: the configuration's show, else info, i.e. all). Findings below it are counted, never dropped from the other reports; a finding that fails the run is always listed.")
    var show: Severity?

    @OptionGroup var ruleOptions: RuleOptions

    @Flag(help: "Record the elapsed time in the JSON report (reports are otherwise repeatable byte for byte).")
    var timing = false

    @Flag(help: "Print nothing on stderr but errors.")
    var quiet = false

    @Option(name: .customLong("redact"),
            help: "Replace every value from the store in every report by a stable digest (--redact); --redact ids also replaces resource ids and the id parts of keys.")
    var redact: Redaction.Scope?

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .customLong("junit-file-attributes"),
          help: "Give JUnit testcases file and line attributes: GitLab shows them, the Jenkins xUnit schema rejects them.")
    var junitFileAttributes = false

    func validate() throws {
        if outputs.count > max(reports.count, 1) {
            throw ValidationError("more --output than --report: each --output belongs to the --report in the same position")
        }
        if inputs.isEmpty && endpoints.isEmpty {
            throw ValidationError("give a dump to audit (or - for stdin), or a live etcd with --endpoint URL")
        }
        // The ETCDCTL_* variables are not options: set for etcdctl, they must not fail an audit of files.
        if endpoints.isEmpty && (pageSize != nil || cacert != nil || cert != nil || key != nil
                                 || user != nil || passwordFile != nil) {
            throw ValidationError("--page-size, --cacert, --cert, --key, --user and --password-file only apply with --endpoint URL")
        }
        if writeBaseline == "-" { throw ValidationError("--write-baseline takes a file: the report on stdout is --report json") }
        if let pageSize, pageSize < 1 { throw ValidationError("--page-size must be at least 1") }
        do {
            _ = try PathFilter(include: include, exclude: exclude)
        } catch {
            throw ValidationError("--include/--exclude: \(error)")
        }
        if let revision, revision < 1 { throw ValidationError("--revision must be at least 1") }
        if !endpoints.isEmpty { _ = try endpointURLs(tls: credentials()) }
        if max(reports.count, 1) - outputs.count > 1 {
            throw ValidationError("only one report can go to stdout: give --output for the others")
        }
    }

    func run() throws {
        if quiet { Warnings.silence() }
        let config = try configOptions.load()
        let settings = CheckSettings(self, config: config)
        let catalog: Catalog
        let selected: [Rule]
        let old: Baseline?
        var selection: InputSelection
        do {
            old = try baseline.map { try Baseline(path: $0) }
            (catalog, selected) = try ruleOptions.load(config: config)
            selection = try InputSelection(arguments: inputs, filter: settings.pathFilter())
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        // The baseline file is the JSON report, whatever else was asked for.
        let written = settings.reports + (writeBaseline.map { [(format: ReportFormat.json, destination: $0)] } ?? [])
        if let clash = Self.destinationClash(written.map(\.destination), inputs: selection.inputs) {
            printError("etcd-audit: \(clash)")
            throw ExitCode(2)
        }
        let started = Date()
        let progress = quiet || isatty(STDERR_FILENO) != 1 ? nil : Progress(started: started)
        selection.inputs += try endpointInputs()
        let auditor = Auditor(catalog: catalog, rules: selected)
        let pipeline = FindingPipeline(
            waivers: config.map { WaiverMarker(config: $0, today: Waiver.today(),
                                               workingDirectory: FileManager.default.currentDirectoryPath,
                                               resourceTypes: auditor.resourceTypes) },
            redaction: redact.map { Redaction(scope: $0, rules: selected) }, baseline: old)
        // The findings stream writes as the rules go when it is the only report: no other
        // report then needs the findings held.
        let stream = settings.reports.allSatisfy { $0.format == .jsonl } && writeBaseline == nil
            ? try openStream(settings, pipeline: pipeline) : nil
        var result = auditor.audit(selection, perFile: settings.perFile, format: format, revision: revision, jobs: ruleOptions.jobs,
                                   progress: progress.map { p in { p.update(records: $0, bytes: $1) } },
                                   stream: stream.map { stream in { stream.findings.add($0) } })
        progress?.done()
        if let stream {
            try finishStream(stream, &result, settings: settings)
        } else {
            var pipeline = pipeline
            pipeline.apply(to: &result)
        }
        // Always measured: the Prometheus report has the run's duration; the JSON report only
        // with --timing, so that it stays repeatable byte for byte.
        let completed = Date()
        let elapsed = (completed.timeIntervalSince(started) * 1000).rounded() / 1000
        if timing { result.elapsedSeconds = elapsed }

        let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        for (reportFormat, destination) in stream != nil ? [] : written {
            var options = ReportOptions(failOn: settings.failOn.severity, color: destination == "-" && stdoutIsTerminal,
                                        junitFileAttributes: junitFileAttributes, show: settings.show,
                                        completedAt: completed)
            options.redactedIDs = redact == .ids
            options.redaction = redact.map { Redaction(scope: $0, rules: selected) }
            options.layouts = catalog.layouts
            options.jobs = ruleOptions.jobs
            var reported = result
            if reportFormat == .prometheus { reported.elapsedSeconds = elapsed }
            do {
                let text = try Reporters.reporter(for: reportFormat).render(reported, options: options)
                if destination == "-" {
                    FileHandle.standardOutput.write(Data(text.utf8))
                } else {
                    try ReportFile.write(Data(text.utf8), to: destination)
                }
            } catch {
                printError("etcd-audit: cannot write the \(reportFormat.rawValue) report to \(destination): \(errorText(error))")
                throw ExitCode(2)
            }
        }
        // Every line of the GitHub report is an annotation command; its summary is a log line.
        if settings.reports.contains(where: { $0.format == .github }) && !quiet {
            printError(GitHubReporter.summary(result, options: ReportOptions(failOn: settings.failOn.severity, show: settings.show)))
        }
        for input in result.inputs {
            if let error = input.error { printError("etcd-audit: \(error)") }
            if !quiet {
                // A file in the wrong format has a problem on every line: the first few say
                // enough on a terminal; the JSON report lists them all.
                let shown = 10
                for problem in input.problems.prefix(shown) {
                    printError("etcd-audit: \(problem.location.display): \(problem.message)")
                }
                if input.problems.count > shown {
                    printError("etcd-audit: \(input.path): \(input.problems.count - shown) more unreadable parts (all in the JSON report)")
                }
            }
        }
        if !quiet {
            for skipped in result.skippedFiles { printError("etcd-audit: skipped \(skipped.path): \(skipped.reason)") }
            warnAboutWaivers(result)
        }
        var code = result.exitCode(failOn: settings.failOn.severity)
        if code == 0, stream?.findings.hasFailingFinding == true { code = 1 }
        if code != 0 { throw ExitCode(code) }
    }
}

extension CheckCommand {
    /// Why these report files cannot be written (nil: they can): one file named by two
    /// reports (the second would replace the first), or a report over a file it audits (a
    /// typo in a gate's command line would replace the fixture). Standard output and
    /// devices are shared freely; the baseline read may be written again (a baseline
    /// updated in place).
    static func destinationClash(_ destinations: [String], inputs: [AuditInput]) -> String? {
        var named: [FileIdentity: String] = [:]
        for destination in destinations where destination != "-" && FileIdentity.isRegularOrAbsent(destination) {
            let identity = FileIdentity(destination)
            if let earlier = named[identity] {
                return "two reports would go to the same file (\(earlier), \(destination)): give each its own --output"
            }
            named[identity] = destination
        }
        for input in inputs {
            guard let path = input.filePath, path != "-", let report = named[FileIdentity(path)] else { continue }
            return "a report would be written over \(path), which is audited (--output \(report)): choose another file"
        }
        return nil
    }

    /// The findings stream and the files it goes to.
    struct Stream {
        var findings: JSONLStream
        var writers: [(destination: String, writer: ReportFile.Writer)]
    }

    private func openStream(_ settings: CheckSettings, pipeline: FindingPipeline) throws -> Stream {
        var writers: [(destination: String, writer: ReportFile.Writer)] = []
        for report in settings.reports {
            do {
                writers.append((report.destination, try ReportFile.Writer(report.destination)))
            } catch {
                for opened in writers { opened.writer.abandon() }
                printError("etcd-audit: cannot write the jsonl report to \(report.destination): \(errorText(error))")
                throw ExitCode(2)
            }
        }
        let findings = JSONLStream(perFile: settings.perFile, pipeline: pipeline, failOn: settings.failOn.severity) { text in
            for (_, writer) in writers { try writer.write(text) }
        }
        return Stream(findings: findings, writers: writers)
    }

    /// The stream's last line, and each file in place (or none of them, on an error).
    private func finishStream(_ stream: Stream, _ result: inout AuditResult, settings: CheckSettings) throws {
        let options = ReportOptions(failOn: settings.failOn.severity, show: settings.show)
        do {
            try stream.findings.finish(&result, options: options)
            for (_, writer) in stream.writers { try writer.commit() }
        } catch {
            for (_, writer) in stream.writers { writer.abandon() }
            let destinations = stream.writers.map(\.destination).joined(separator: ", ")
            printError("etcd-audit: cannot write the jsonl report to \(destinations): \(errorText(error))")
            throw ExitCode(2)
        }
    }
}

extension CheckCommand {
    /// The live etcd (one input, however many members are named), if one is.
    func endpointInputs() throws -> [AuditInput] {
        guard !endpoints.isEmpty else { return [] }
        let credentials = try credentials()
        var options = EndpointOptions(urls: try endpointURLs(tls: credentials), pageSize: pageSize ?? EndpointOptions.defaultPageSize,
                                      revision: revision)
        if !quiet {
            for warning in credentials.warnings { printError("etcd-audit: warning: \(warning)") }
        }
        do {
            // etcdctl asks for a missing password; so do we, on a terminal only.
            try credentials.apply(to: &options) { user in
                guard isatty(STDIN_FILENO) == 1, let typed = getpass("Password for \(user): ") else { return nil }
                return String(cString: typed)
            }
        } catch {
            printError("etcd-audit: \(error)")
            throw ExitCode(2)
        }
        return [.endpoint(options)]
    }

    /// The command line's TLS files and user, else the environment's (etcdctl's variables).
    func credentials() throws -> EndpointCredentials {
        let given = EndpointCredentials.Given(caCert: cacert, cert: cert, key: key, user: user, passwordFile: passwordFile)
        do {
            return try EndpointCredentials(given: given, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Client URLs as etcdctl takes them: comma-separated lists work, and a URL without a
    /// scheme is http, or https when a TLS file is given (by option or variable). Other
    /// schemes are refused, so libcurl never reads anything but the gateway.
    func endpointURLs(tls credentials: EndpointCredentials) throws -> [String] {
        let tls = credentials.caCert != nil || credentials.cert != nil
        return try endpoints.flatMap { $0.split(separator: ",") }.map { part in
            let url = part.trimmingCharacters(in: .whitespaces)
            if url.hasPrefix("http://") || url.hasPrefix("https://") { return url }
            if url.contains("://") {
                throw ValidationError("--endpoint \(url): only http:// and https:// client URLs are read")
            }
            return (tls ? "https://" : "http://") + url
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
