import CZlib

/// Raw deflate (RFC 1951) and CRC-32 through the system zlib, as zip entries use them.
enum Zlib {
    enum InflateFailure: Error, Equatable {
        /// The stream produced more bytes than the entry's header declared.
        case longerThanDeclared
        /// The input ended before the deflate stream did.
        case truncated
        /// zlib found the stream invalid; its message.
        case corrupt(String)
    }

    /// Inflates a raw deflate stream that must produce exactly `expected` bytes. The output
    /// buffer is one byte longer than declared, so a stream that lies about its size is caught
    /// without ever writing more than `expected + 1` bytes.
    static func inflate(_ input: UnsafeBufferPointer<UInt8>, expected: Int) -> Result<[UInt8], InflateFailure> {
        var stream = z_stream()
        guard tenken_inflate_init_raw(&stream) == Z_OK else { return .failure(.corrupt("zlib could not start")) }
        defer { inflateEnd(&stream) }
        let capacity = expected + 1
        var failure: InflateFailure?
        let out = [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            stream.next_out = buf.baseAddress
            stream.avail_out = UInt32(capacity)
            let rc = CZlib.inflate(&stream, Z_FINISH)
            count = capacity - Int(stream.avail_out)
            switch rc {
            case Z_STREAM_END:
                if count != expected { failure = count > expected ? .longerThanDeclared : .truncated }
            case Z_OK, Z_BUF_ERROR:
                failure = stream.avail_out == 0 ? .longerThanDeclared : .truncated
            default:
                failure = .corrupt(stream.msg.map { String(cString: $0) } ?? "inflate failed (\(rc))")
            }
        }
        if let failure { return .failure(failure) }
        return .success(out)
    }

    /// Deflates with the given level (raw stream, 32 KiB window). The output depends only on
    /// the input, the level and the zlib version.
    static func deflate(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
        var stream = z_stream()
        guard tenken_deflate_init_raw(&stream, level) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        return input.withUnsafeBufferPointer { inp in
            [UInt8](unsafeUninitializedCapacity: bound) { buf, count in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = UInt32(inp.count)
                stream.next_out = buf.baseAddress
                stream.avail_out = UInt32(bound)
                // deflateBound guarantees one call with Z_FINISH completes the stream.
                _ = CZlib.deflate(&stream, Z_FINISH)
                count = bound - Int(stream.avail_out)
            }
        }
    }

    static func crc32(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc: UInt = CZlib.crc32(0, nil, 0)
        var p = bytes.baseAddress, left = bytes.count
        while left > 0, let base = p {
            let n = min(left, Int(UInt32.max >> 1))
            crc = CZlib.crc32(crc, base, UInt32(n))
            p = base + n
            left -= n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBufferPointer { crc32($0) } }
}
