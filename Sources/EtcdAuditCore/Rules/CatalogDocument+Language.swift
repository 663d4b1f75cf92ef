/// The parts of the rule reference about the rule language: the language itself (its
/// lists read from the code, so they cannot go stale) and each declared rule's declaration.
extension CatalogDocument {
    /// What each operator does, for the reference. A switch, so that a new operator does
    /// not build until it is documented.
    static func meaning(_ op: Operator) -> (operand: String, holds: String) {
        switch op {
        case .equals: return ("a value or operand", "the value equals the operand (one of the operand's values)")
        case .notEquals: return ("a value or operand", "the value equals none of the operand's values")
        case .oneOf: return ("a list of values or operands", "the value equals one of them")
        case .notOneOf: return ("a list of values or operands", "the value equals none of them")
        case .matches: return ("a regular expression", "the value is text the expression finds a match in (anchor with `^…$`)")
        case .notMatches: return ("a regular expression", "the value is not text the expression matches")
        case .contains: return ("a value or operand", "text holds the operand's text; a list holds an element equal to it; an object has a member of that name")
        case .notContains: return ("a value or operand", "the opposite of `contains`")
        case .startsWith: return ("text or operand", "the value is text starting with it")
        case .endsWith: return ("text or operand", "the value is text ending with it")
        case .includes: return ("a value or operand", "each operand value is the value or, for a list, one of its elements; text holding JSON counts as what it holds (`\"42\"` includes 42)")
        case .present: return ("`true`", "the path has a value (the one test an absent value fails)")
        case .absent: return ("`true`", "the path has no value")
        case .blank: return ("`true`", "the value is `null` or `\"\"`")
        case .notBlank: return ("`true`", "the value is neither `null` nor `\"\"`")
        case .lessThan: return ("a number or operand", "the value is a number below it (values that are not numbers are not compared)")
        case .atMost: return ("a number or operand", "the value is a number at most it")
        case .greaterThan: return ("a number or operand", "the value is a number above it")
        case .atLeast: return ("a number or operand", "the value is a number at least it")
        case .lengthAtMost: return ("an integer", "text (characters), a list or an object is at most that long")
        case .lengthAtLeast: return ("an integer", "text (characters), a list or an object is at least that long")
        case .isType: return ("null, boolean, integer, real, number, string, array or object", "the value is of that JSON type")
        case .distinct: return ("`true`, or `{by: [members], in: member}`", "no list holds one element twice (by those members; the list in member `in` of each value). A value that is a list is checked on its own; the values of a path through a list (`output[*].output_key`) are checked per list; one finding per list, at its first repeat")
        }
    }

    static var languageSection: String {
        var out = """

            ## The rule language

            A rule written in the language says what must hold instead of naming a check kind:
            `check:` (a condition on each resource), `unique:` (values no two resources share) or
            `refers_to:` (references that must resolve in the store), with `when:`, `at:`,
            `message:`, `expected:`, `actual:` and `params:` beside it. An operator writes such a
            rule in a `--rules` file like any other; `rules --verify` runs its examples.

            ```yaml
            - id: tenant.mismatch
              severity: error
              summary: The stack belongs to another tenant than the config body.
              check: {path: stack.tenant_id, equals: {path: config.body.tenant_id}}
              message: stack tenant_id is {actual} but body.tenant_id is {expected}
            ```

            ### Paths

            A path starts with a record kind of the resource (\(RecordKind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))),
            `records[*]` (each record the resource has; its value is its kind) or `resource`
            (\(RulePath.resourceNames.sorted().map { "`resource.\($0)`" }.joined(separator: ", "))), then takes steps inside the record's value:

            | step | takes |
            |---|---|
            | `.name` | the member `name` |
            | `[N]` | element N of a list (from 0) |
            | `[*]` | every element of a list, or every member of an object |
            | `[member=value]` | every element of a list that is an object whose `member` is the text `value` |
            | `\\|json` | the value is a string holding JSON: go on inside what it decodes to |
            | `\\|digest` | (last) the value's 128-bit digest, member order aside; `\\|digest(a,b)` leaves top-level members a and b out: a large member compared whole is kept as 16 bytes |
            | `\\|type` | (last) the value's JSON type (`null`, `boolean`, `integer`, `real`, `string`, `array`, `object`): a member tested for its type is not kept whole |

            Instead of steps, `KIND.$key.FIELD` reads a field of the record's key (the
            placeholders of its layout, e.g. `job.$key.version`, `job.$key.action`; `$key.last` is
            the key's last segment), `KIND.$mod_revision` and `KIND.$create_revision` its
            revisions. A kind alone (`stack`) is the record itself, for `present`/`absent`.
            `jobs[*]` is another spelling of `job`. Examples: `config.body.mac_address`,
            `job[1].params[param=uuid].value`, `config.body.fixed_ips[*].subnet_id`,
            `state.state.heat_outputs|json[output_key=id].output_value`, `monitoring[*]`. A path may
            give several values (one per element `[*]` and `[k=v]` select); the store keeps only
            the members the loaded rules' paths read. A path naming a kind the layouts do not
            declare stops the loading.

            ### Tests and operators

            A test is `{path: P, OPERATOR: OPERAND}`, optionally with its own `when`, `at`,
            `message`, `expected`, `actual`, and `ignore_case: true` (text compares in lower case).
            A test that fails gives one finding per value of its path that fails. A comparison
            passes when its path has no value, or an operand's path has none: say
            `present: true` to require a value.

            | operator | operand | holds when |
            |---|---|---|

            """
        for op in Operator.allCases {
            let (operand, holds) = meaning(op)
            out += "| `\(op.rawValue)` | \(operand) | \(holds) |\n"
        }
        out += """

            ### Operands

            - a literal value: `tenant-1`, `3`, `[ACTIVE, DOWN]`;
            - `{path: P}`: the path's values (`equals` holds when the value equals one of them);
            - `{template: "{resource.type}_{resource.id}"}`: text built from paths;
            - `{lookup: MAP, key: P}` or `key: [P1, P2]`: the map's entry for the first key path
              that has a value (the map usually a param);
            - `{param: NAME}`, anywhere in the declaration: the rule's param `NAME`.

            ### Conditions: when, all, any, not

            `{all: [...]}` holds when each holds (a list is `all` too), `{any: [...]}` when one
            does, `{not: ...}` when its condition does not. As `check:`, each failed test of an
            `all` is a finding; an `any` that fails is one finding (at its first test, comparing
            every record it read); a `not` that fails is one finding at its first test. `when:` (of
            the rule or of one test) says whether it applies; as a condition a test of a path with
            no value, or with an operand without value, is false — but `absent`.

            ```yaml
            when: {path: state.state.worker_state, ends_with: {param: worker_state_suffix}}
            check:
              - {path: stack, present: true, message: "worker_state is {state.state.worker_state} but there is no stack record"}
              - {path: state.version, equals: {path: config.version}, when: {not: {path: resource.in_flight, equals: true}}}
            ```

            ### Messages

            `message`, `expected` and `actual` are templates: `{path}` (the test's path),
            `{expected}` and `{actual}` (the finding's texts), `{value}` (the value at fault),
            `{json}` (it as JSON text), `{value.NAME}` (its member NAME), `{member}` (the name of the
            member holding it), for `distinct` `{repeated}` (what a list holds more than once) and
            `{repeats}` (the same, with how many times), with `one_finding: true` (every failed test
            of one resource, or one job, makes one finding at the first's place) `{failures}` (the
            failed tests' own messages, joined with ", "; `{expected}` is then their expected texts
            joined with " and "), and any path in braces (`{config.version}`, `{resource.id}`: its first value). A template naming a
            path without value cannot be said, and the default is used: `{path} is {actual},
            expected {expected}` (`{path} is absent` for a missing value). `expected: null` (or
            `actual: null`) leaves that text out of the finding. A `{` never closed stops the loading.

            ### Params

            `params:` beside the declaration are the rule's knobs; `{param: NAME}` puts one in.
            Every param must be used, and an operator changes one as for any rule:

            ```yaml
            rules:
              - id: monitoring.failed
                params: {failed_values: [FAIL, DEGRADED]}
            ```

            ### Where findings point

            A finding points at `at:` (the test's, else the rule's) when that path has a value
            or a record to hold it; else at the member holding the value at fault; else, for a
            value that is absent, at the member where it belongs in its record. The records the
            operands (and an `any`'s other tests) read are the related ones.

            A rule whose paths name the job is checked once per job (`job.$key.version`,
            `job[1].action`); in a list of tests, those that do not name the job are checked once.
            When `when:` names the job, the whole rule is checked per job.

            ### Across resources: unique and refers_to

            `unique: P` or `unique: {path: P, by: [members], ignore_case: true, name: TEXT}`: no
            two resources hold one value of P (for elements of a list, `by` names the members that
            make an element's value; `name` is how findings call it). Blank values (`null`, `""`,
            an element with a blank `by` member) belong to nobody. Each holder gets a finding
            naming the others. P may not be a job path (one value per resource).

            ```yaml
            unique: {path: "config.body.fixed_ips[*]", by: [subnet_id, ip_address]}
            ```

            `refers_to: {type: TYPE, id: P}`: each value of P names a resource of that type, which
            must be in the store — checked only when the store holds that type at all (a dump of
            ports alone says nothing about networks).

            ```yaml
            refers_to: {type: network, id: config.body.network_id}
            ```

            """
        return out
    }

    /// The fields of a declared rule, in the order the reference shows them.
    static let declarationFields = ["when", "check", "unique", "refers_to", "one_finding", "at", "message", "expected", "actual"]

    /// A declared rule's declaration as YAML (its params apart), as the rule file says it.
    static func declaration(_ rule: Rule) -> String? {
        guard rule.kind == DeclaredCheck.kind else { return nil }
        var out = ""
        for field in declarationFields {
            guard let value = rule.params.values[field] else { continue }
            out += YAMLText.block(field, value, indent: "")
        }
        return out
    }

    /// A declared rule's params (its knobs), by name.
    static func knobs(_ rule: Rule) -> [(String, JSONValue)] { rule.knobs }
}

/// JSON values written as YAML people read: flow style when short, block style when not.
enum YAMLText {
    static let width = 96

    static func block(_ name: String, _ value: JSONValue, indent: String) -> String {
        let flat = flow(value)
        let line = "\(indent)\(key(name)): \(flat)\n"
        switch value {
        case .array(let items) where line.count > width && !items.isEmpty:
            return "\(indent)\(key(name)):\n" + items.map { item(indent + "  ", $0) }.joined()
        case .object(let members) where line.count > width && !members.isEmpty:
            return "\(indent)\(key(name)):\n" + members.map { block($0.name, $0.value, indent: indent + "  ") }.joined()
        default:
            return line
        }
    }

    private static func item(_ indent: String, _ value: JSONValue) -> String {
        let flat = flow(value)
        if case .object(let members) = value, "\(indent)- \(flat)".count > width, !members.isEmpty {
            // The first member on the dash's line, the others under it.
            let body = members.map { block($0.name, $0.value, indent: indent + "  ") }.joined()
            return indent + "- " + body.dropFirst(indent.count + 2)
        }
        return "\(indent)- \(flat)\n"
    }

    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return scalar(s)
        case .array(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let members): return "{" + members.map { "\(key($0.name)): \(flow($0.value))" }.joined(separator: ", ") + "}"
        default: return value.text
        }
    }

    private static func key(_ name: String) -> String { scalar(name) }

    /// Text bare when YAML reads it back as the same text in any context, else quoted (a
    /// JSON string is a YAML double-quoted scalar).
    private static func scalar(_ s: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./$")
        let words: Set<String> = ["true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"]
        let bare = !s.isEmpty && s.allSatisfy { plain.contains($0) } && !s.hasPrefix("-") && !s.hasPrefix(".")
            && !words.contains(s.lowercased()) && Double(s) == nil && Int(s) == nil
        return bare ? s : JSONValue.string(s).text
    }
}

extension Rule {
    /// The rule's params as its file gives them: a kind's params, or a declared rule's
    /// `params:` (which its declaration names as `{param: NAME}`).
    public var knobs: [(String, JSONValue)] {
        guard kind == DeclaredCheck.kind else { return params.values.keys.sorted().map { ($0, params.values[$0]!) } }
        guard case .object(let members)? = params.values[DeclaredCheck.knobs] else { return [] }
        return members.map { ($0.name, $0.value) }
    }
}
