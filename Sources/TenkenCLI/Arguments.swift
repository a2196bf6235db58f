import TenkenAudit
import TenkenSyntax

/// One option a command accepts. The same spec makes the parser, `--help`, the shell
/// completions and the man page (`CommandDocs`), so they cannot disagree.
public struct OptionSpec: Sendable {
    public var name: String
    public var valueName: String?
    public var repeatable = false
    public var help: String
    /// The values it takes, when they are a closed set (for completion); empty: any.
    public var choices: [String] = []
    /// The value is a comma-separated list of `choices` (`--format html,sarif`).
    public var list = false

    public init(
        _ name: String, value: String? = nil, repeatable: Bool = false, choices: [String] = [], list: Bool = false,
        help: String
    ) {
        self.name = name
        valueName = value
        self.repeatable = repeatable
        self.choices = choices
        self.list = list
        self.help = help
    }

    /// What a shell completes for the value: a closed set, a file, a folder, or nothing.
    public enum ValueKind: Sendable { case none, choice, file, directory, free }

    public var valueKind: ValueKind {
        guard let v = valueName else { return .none }
        if !choices.isEmpty { return .choice }
        if v == "DIR" { return .directory }
        if v == "FILE" || v.hasSuffix(".json") { return .file }
        return .free
    }
}

public struct CommandSpec: Sendable {
    public var name: String
    public var summary: String
    public var usage: String
    public var options: [OptionSpec]
    public var minPositionals = 0
    public var maxPositionals = 0

    public var helpText: String {
        var s = "\(summary)\n\nusage: \(usage)\n"
        if !options.isEmpty {
            s += "\noptions:\n"
            let rows = options.map { o in ("  \(o.name)" + (o.valueName.map { " \($0)" } ?? ""), o.help) }
            let w = (rows.map { $0.0.count }.max() ?? 0) + 2
            for (l, h) in rows { s += l + String(repeating: " ", count: w - l.count) + h + "\n" }
            s += "  --help" + String(repeating: " ", count: max(1, w - 8)) + "show this help\n"
        }
        return s
    }
}

public struct ParsedArguments: Sendable {
    public var values: [String: [String]] = [:]
    public var flags: Set<String> = []
    public var positionals: [String] = []
    public var help = false

    public func value(_ name: String) -> String? { values[name]?.last }
    public func all(_ name: String) -> [String] { values[name] ?? [] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

public struct UsageError: Error, Sendable, Equatable {
    public var message: String
    public var help: String?
}

/// The one place command lines are parsed: `--name value`, `--name=value`, flags, `--`
/// ending the options, and `-h`/`--help` anywhere. Every mistake is a usage error (exit 64).
public enum ArgumentParser {
    public static func parse(_ args: [String], _ spec: CommandSpec) -> Result<ParsedArguments, UsageError> {
        var out = ParsedArguments()
        var i = 0
        var optionsEnded = false
        let byName = Dictionary(uniqueKeysWithValues: spec.options.map { ($0.name, $0) })
        while i < args.count {
            let a = args[i]
            i += 1
            if optionsEnded || !a.hasPrefix("-") || a == "-" {
                out.positionals.append(a)
                continue
            }
            if a == "--" { optionsEnded = true; continue }
            if a == "-h" || a == "--help" { out.help = true; continue }
            var name = a
            var inline: String?
            if let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            guard let o = byName[name] else {
                let guess = closestMatch(to: name, in: byName.keys)
                return .failure(
                    UsageError(
                        message: "unknown option `\(name)` for `tenken \(spec.name)`",
                        help: guess.map { "did you mean `\($0)`?" } ?? "see `tenken \(spec.name) --help`"))
            }
            if let vn = o.valueName {
                let v: String
                if let inline {
                    v = inline
                } else {
                    guard i < args.count else {
                        return .failure(UsageError(message: "option `\(name)` needs a value (\(vn))", help: nil))
                    }
                    v = args[i]
                    i += 1
                }
                // An empty value (`--output ""`, an unset shell variable) names nothing.
                if v.isEmpty {
                    return .failure(
                        UsageError(
                            message: "option `\(name)` needs a value (\(vn)); it was given an empty one", help: nil))
                }
                if !o.repeatable, out.values[name] != nil {
                    return .failure(UsageError(message: "option `\(name)` is given more than once", help: nil))
                }
                out.values[name, default: []].append(v)
            } else {
                if inline != nil { return .failure(UsageError(message: "option `\(name)` takes no value", help: nil)) }
                out.flags.insert(name)
            }
        }
        if out.help { return .success(out) }
        if out.positionals.count < spec.minPositionals {
            return .failure(UsageError(message: "missing argument; usage: \(spec.usage)", help: nil))
        }
        if out.positionals.count > spec.maxPositionals {
            return .failure(
                UsageError(
                    message: "unexpected argument `\(out.positionals[spec.maxPositionals])`; usage: \(spec.usage)",
                    help: nil))
        }
        return .success(out)
    }

    /// Checks that an option's value is one of `allowed`.
    public static func choice(
        _ p: ParsedArguments, _ name: String, _ allowed: [String], default d: String
    ) -> Result<String, UsageError> {
        guard let v = p.value(name) else { return .success(d) }
        if allowed.contains(v) { return .success(v) }
        return .failure(
            UsageError(
                message: "`\(name)` must be one of \(allowed.joined(separator: ", ")), not `\(v)`",
                help: closestMatch(to: v, in: allowed).map { "did you mean `\($0)`?" }))
    }

    /// A choice that is a case of `T` (its raw values are the words accepted).
    public static func choice<T: RawRepresentable & CaseIterable>(
        _ p: ParsedArguments, _ name: String, default d: T
    ) -> Result<T, UsageError>
    where T.RawValue == String {
        guard let v = p.value(name) else { return .success(d) }
        if let t = T(rawValue: v) { return .success(t) }
        let allowed = T.allCases.map(\.rawValue)
        return .failure(
            UsageError(
                message: "`\(name)` must be one of \(allowed.joined(separator: ", ")), not `\(v)`",
                help: closestMatch(to: v, in: allowed).map { "did you mean `\($0)`?" }))
    }
}
