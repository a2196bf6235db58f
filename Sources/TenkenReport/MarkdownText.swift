/// Pack text placed in Markdown that a viewer renders: SARIF's `help.markdown` (a
/// multiformatMessageString's `markdown`, which SARIF 2.1.0 defines as GitHub Flavored
/// Markdown), which GitHub code scanning shows, rendered, instead of `help.text` beside each
/// alert.
public enum MarkdownText {
    /// The characters that mean something inside a GFM line: emphasis (`*`, `_`, `~`), code
    /// spans (`` ` ``), links and images (`[`, `]`), raw HTML and autolinks (`<`, `>`), entity
    /// references (`&`), table cells (`|`) and the escape itself (`\`).
    static let special: Set<Character> = ["\\", "`", "*", "_", "~", "[", "]", "<", ">", "&", "|"]

    /// `text` as literal GitHub Flavored Markdown: each character in `special` gets a backslash
    /// before it (CommonMark 0.31 §2.4: a backslash before ASCII punctuation makes it a literal
    /// character), so pack text shows as written and never becomes markup, a link, an image or
    /// an HTML tag. For text within one line (every pack text is one line); the rest is kept.
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
