enum CoverageCommand {
    static func run(_ args: [String], _ console: Console) -> Int32 {
        console.err("not yet\n")
        return 70
    }
}
