extension Array {
    /// `count` copies of `value`, as `Array(repeating:count:)` makes them, allocated through code
    /// specialised for `Element` where this is called.
    ///
    /// The standard library's `init(repeating:count:)` allocates through a function it does not
    /// inline, generic over `Element`, which finds the storage class's metadata in the runtime's
    /// table on every call: about 800 instructions a call, 113 K per facility of an 8-rule batch
    /// when each loaded record made its `[Value]` and `[Int32]` that way (issue 15). Reserving
    /// capacity allocates through inlinable code instead, whose metadata access is cached.
    @inlinable
    public init(filling value: Element, count: Int) {
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }

    /// A copy of `source` with storage of its own, made as `init(filling:count:)` is: a shared
    /// array's first change otherwise copies it through the same unspecialised allocation.
    @inlinable
    public init(copying source: [Element]) {
        self.init()
        reserveCapacity(source.count)
        for v in source { append(v) }
    }
}
