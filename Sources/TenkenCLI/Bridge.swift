import TenkenData
import TenkenSyntax

enum TenkenDataBridge {
    static func read(_ path: String) -> ([UInt8]?, Diagnostic?) { readInputFile(path, maxBytes: 64 << 20) }
}
