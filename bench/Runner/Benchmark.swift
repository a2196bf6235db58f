enum BenchmarkMain {
    static func run(_ args: [String]) throws {
        print("usage: tenken-bench generate|huge|run")
    }
}
