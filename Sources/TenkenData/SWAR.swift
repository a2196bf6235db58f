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

/// The bytes of a small ASCII string, read from the `String` value itself. The standard library
/// keeps a string of up to 15 bytes inline, in the two words of the value, with the bytes in
/// order, zero past the end, and a last byte that marks it small (and ASCII) and holds its
/// length; nearly every id and most loaded text are such strings. Reading those two words costs
/// a few instructions, where `withUTF8` or `utf8.withContiguousStorageIfAvailable` copies the
/// bytes out and calls a closure (issue 15: `IdKey` for every id and reference of a facility).
///
/// Any other string (longer, not ASCII, or not stored inline), and any platform other than
/// 64-bit little-endian, gives nil: the caller takes its general path. The layout is the one
/// the reader's `SmallASCII` writes (and probes once at first use); it is not asked here, where
/// reading that lazily made flag cost more than the words it guards (a `swift_once` a call).
/// `IdKeyTests` checks this against the bytes of strings made in every usual way.
enum InlineASCII {
    /// `s`'s two words as they lie, when `s` is a small ASCII string: its bytes in memory order
    /// (little-endian), zero past the end, and the last byte (flags and length) as it is; else
    /// nil. The one place that reads the small string's layout.
    @inline(__always)
    static func rawWords(_ s: String) -> (lo: UInt64, hi: UInt64)? {
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        let (lo, hi) = unsafeBitCast(s, to: (UInt64, UInt64).self)
        // The top nibble of the second word: 0xE is "immortal, ASCII, small" (0xA a small
        // string that is not ASCII; a large one has neither of the two low bits set).
        return hi >> 60 == 0xE ? (lo, hi) : nil
        #else
        return nil
        #endif
    }

    /// `s`'s bytes packed as two big-endian words, zero past the end, with its length in the
    /// last byte (as `IdKey` packs a key), when `s` is a small ASCII string; else nil.
    @inline(__always)
    static func words(_ s: String) -> (head: UInt64, tail: UInt64)? {
        guard let (lo, hi) = rawWords(s) else { return nil }
        let n = (hi >> 56) & 0xF
        // Bytes past the length are zero in a small string; masked all the same, so a key
        // never depends on it.
        let head = lo.byteSwapped & (n >= 8 ? ~0 : ~(~UInt64(0) >> (8 &* n)))
        let rest = n > 8 ? n &- 8 : 0
        let tail = (hi & 0x00FF_FFFF_FFFF_FFFF).byteSwapped & ~(~UInt64(0) >> (8 &* rest))
        return (head, tail | n)
    }
}
