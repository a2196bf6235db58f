/// Tests on the eight bytes of a word at once. Each is nonzero exactly when some byte passes; its
/// set bits mark the passing bytes, except that a bit may also be set in a byte above (more
/// significant than) a passing one, so the lowest set bit marks the first passing byte of a
/// little-endian load.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero exactly when some byte of `w` is below `n` (`n` at most 0x80).
    @inline(__always)
    static func hasLess(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & high
    }

    /// Nonzero exactly when some byte of `w` equals `b`.
    @inline(__always)
    static func hasByte(_ w: UInt64, _ b: UInt8) -> UInt64 { hasLess(w ^ (ones &* UInt64(b)), 1) }

    /// Whether some byte of `w`, every byte of which is ASCII, is in `a`...`z`. With each byte's
    /// high bit set, the subtractions borrow across no byte: a byte's high bit stays set exactly
    /// when the byte was at least 0x61 (then 0x7B).
    @inline(__always)
    static func hasASCIILower(_ w: UInt64) -> Bool {
        let x = w | high
        let atLeastA = x &- ones &* 0x61, pastZ = x &- ones &* 0x7B
        return atLeastA & ~pastZ & high != 0
    }

    /// Whether every byte of `b` is ASCII and none is in `a`...`z` (`CellText.isOwnKey`): eight
    /// bytes at a time, the last few loaded into a zeroed word (a zero byte passes).
    @inline(__always)
    static func isASCIIWithoutLower(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i &+ 8 <= b.count {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if w & high != 0 || hasASCIILower(w) { return false }
            i &+= 8
        }
        if i == b.count { return true }
        var w: UInt64 = 0
        withUnsafeMutableBytes(of: &w) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[i...]))
        }
        return w & high == 0 && !hasASCIILower(w)
    }
}
