import TenkenCheck
import TenkenData
import TenkenSyntax

public enum ParamResolver {
    /// Applies snapshot overrides, then command-line ones (which win), to the pack's defaults.
    /// Each override is typed against the declaration; a bad one is a located error.
    public static func resolve(
        _ pack: CheckedPack, overrides: [ParamOverride]
    ) -> ([Value], [ParamSetting], [Diagnostic]) {
        var values = pack.params.map(\.defaultValue)
        var settings = pack.params.map {
            ParamSetting(
                name: $0.name, value: $0.defaultValue, defaultValue: $0.defaultValue, origin: .default, loosened: false,
                limit: $0.limitText, location: nil, schema: pack.schema, sourceWord: pack.info.sourceWord)
        }
        var diags: [Diagnostic] = []
        let ordered =
            overrides.filter { $0.origin != "command line" } + overrides.filter { $0.origin == "command line" }
        for o in ordered {
            guard let i = pack.paramIndex[o.name] else {
                // A name from the facility's data is not shown (nor left in the pointer): it may
                // be a value in the wrong place. One typed on the command line is the person's own.
                var at = o.location
                if o.origin != "command line", let p = at.path, p.hasPrefix("/parameters/") { at.path = "/parameters" }
                let what =
                    o.origin == "command line"
                    ? "unknown parameter `\(o.name)`" : "a parameter this pack does not have (its name is not shown)"
                diags.append(
                    Diagnostic(
                        "data.unknown-param", .error, what, at: at,
                        help: closestMatch(to: o.name, in: pack.paramIndex.keys).map { "did you mean `\($0)`?" }))
                continue
            }
            let p = pack.params[i]
            guard let v = coerce(o.value, to: p.type) else {
                diags.append(
                    Diagnostic(
                        "data.bad-param", .error,
                        "parameter `\(o.name)` needs \(describe(p.type)), found "
                            + "\(o.origin == "command line" ? render(o.value) : ValueShape.of(raw: o.value))",
                        at: o.location))
                continue
            }
            if case .duration(let d) = v, d.isNegative {
                diags.append(
                    Diagnostic(
                        "data.negative-duration", .error, "parameter `\(o.name)` must not be a negative period",
                        at: o.location))
                continue
            }
            // A parameter a rule compares with a choice field holds that choice set's values, as
            // written there: "OPEN", a fullwidth or padded word, or a typo never matches a value,
            // and `d.wifi not in param.wifi.forbidden` would pass every device. Refused, not applied.
            if let allowed = p.choiceValues {
                let stray = strings(in: v).filter { !allowed.contains($0) }
                if !stray.isEmpty {
                    let shown =
                        o.origin == "command line"
                        ? stray.map { "\"\($0)\"" }.joined(separator: ", ")
                        : stray.map { ValueShape.of($0) }.joined(separator: ", ")
                    diags.append(
                        Diagnostic(
                            "data.bad-param", .error,
                            "parameter `\(o.name)` takes only values of the choice its rules compare it with; "
                                + "found \(shown), expected values among "
                                + allowed.map { "\"\($0)\"" }.joined(separator: ", "),
                            at: o.location,
                            help: o.origin == "command line" && stray.count == 1
                                ? closestMatch(to: stray[0], in: allowed).map { "did you mean \"\($0)\"?" } : nil))
                    continue
                }
            }
            values[i] = v
            settings[i].value = v
            settings[i].origin = o.origin == "command line" ? .commandLine : .snapshot
            settings[i].location = o.location
            if let lim = p.limit { settings[i].loosened = !Checker.satisfies(v, lim.op, lim.value) }
            // Without a source bound the pack's default is the bar the facility is held to: no
            // one lowers it unflagged, neither the audited facility (review 12 #3, break 12 F4)
            // nor the run's command line (break-12b F5).
            settings[i].loosensDefault = p.limit == nil && looser(v, than: p.defaultValue)
        }
        return (values, settings, diags)
    }

    /// The strings a parameter's value holds: itself, or a list's.
    static func strings(in v: Value) -> [String] {
        switch v {
        case .string(let s): [s]
        case .list(let xs): xs.flatMap(strings(in:))
        default: []
        }
    }

    /// Whether `v` asks less than the default `d` of a parameter with no source bound. Every
    /// such period or number of the pack is a limit the facility must stay within (a grace, a
    /// maximum age, a renewal, a bed count from which a hospital is audited), so a larger one
    /// is looser; a yes/no, a text or a set set otherwise is taken as looser, since which way
    /// it moves the checks is not known here.
    static func looser(_ v: Value, than d: Value) -> Bool {
        switch (v, d) {
        case (.duration(let a), .duration(let b)): return b < a
        case (.int(let a), .int(let b)): return a > b
        default: return v != d
        }
    }

    static func describe(_ t: ValueType) -> String {
        switch t {
        case .duration: "a period like \"14 days\""
        case .date: "a date YYYY-MM-DD"
        case .int: "a whole number"
        case .bool: "true or false"
        case .list(let e): "a list of \(describe(e))"
        default: "a string"
        }
    }

    public static func render(_ r: ParamOverride.Raw) -> String {
        switch r {
        case .int(let n): String(n)
        case .bool(let b): String(b)
        case .string(let s): "\"\(s)\""
        case .list(let xs): "[" + xs.map(render).joined(separator: ", ") + "]"
        }
    }

    public static func coerce(_ r: ParamOverride.Raw, to t: ValueType) -> Value? {
        switch (t, r) {
        case (.int, .int(let n)): return .int(n)
        case (.int, .string(let s)): return Int(s).map(Value.int)
        case (.bool, .bool(let b)): return .bool(b)
        case (.bool, .string(let s)): return s == "true" ? .bool(true) : s == "false" ? .bool(false) : nil
        case (.string, .string(let s)): return .string(s)
        case (.date, .string(let s)): return Day(iso: s).map(Value.date)
        case (.duration, .string(let s)): return Duration(text: s).map(Value.duration)
        case (.list(let e), .list(let xs)):
            var out: [Value] = []
            for x in xs { guard let v = coerce(x, to: e) else { return nil }; out.append(v) }
            return .list(out)
        default: return nil
        }
    }

    /// A `--param name=value` from the command line. The value is read as a rule-language
    /// constant when it is one (`14 days`, `["WPA3"]`, `13`), else as plain text.
    public static func parseCommandLine(_ arg: String) -> ParamOverride? {
        guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else { return nil }
        // Read as every input is; a control character is refused (a usage error).
        let (name, n) = CellText.clean(arg[..<eq]), (text, t) = CellText.clean(arg[arg.index(after: eq)...])
        guard n == nil, t == nil, !name.isEmpty else { return nil }
        let loc = SourceLocation(file: "--param \(name)")
        return ParamOverride(name: name, value: raw(fromText: text), location: loc, origin: "command line")
    }

    static func raw(fromText text: String) -> ParamOverride.Raw {
        let (e, d) = Parser.parseExpression(text)
        if let e, d.isEmpty, let r = raw(e) { return r }
        return .string(text)
    }

    static func raw(_ e: Expr) -> ParamOverride.Raw? {
        switch e.kind {
        case .literal(.int(let n)): return .int(n)
        case .literal(.bool(let b)): return .bool(b)
        case .literal(.string(let s)): return .string(s)
        case .literal(.date(let s)): return .string(s)
        case .literal(.duration): return .string(Formatter.expr(e))
        case .list(let xs):
            var out: [ParamOverride.Raw] = []
            for x in xs { guard let r = raw(x) else { return nil }; out.append(r) }
            return .list(out)
        default: return nil
        }
    }
}

extension String {
    func trimmingCharacters(in _: Whitespace) -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
    enum Whitespace { case whitespaces }
}
