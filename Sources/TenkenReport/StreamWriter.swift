import CLibXML2
import Foundation

/// A file written in pieces and published atomically: chunks go to a temporary file in the
/// same folder, which is renamed into place only when complete.
public final class AtomicStream {
    let target: String
    let temp: String
    let handle: FileHandle
    var buffer = [UInt8]()

    public init(path: String) throws {
        target = path
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true)
        temp = (dir as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileHandle(forWritingAtPath: temp) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temp])
        }
        handle = h
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ s: String) throws {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws {
        try flush()
        try handle.close()
        if rename(temp, target) != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target]) }
    }

    public func abandon() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temp)
    }

    deinit { if FileManager.default.fileExists(atPath: temp) { abandon() } }
}

/// HTML written element by element with libxml2's streaming writer, which escapes text and
/// attributes; for documents whose size grows with the input (the batch heatmap), where a
/// whole tree in memory would grow with it.
public final class HTMLStream {
    let writer: xmlTextWriterPtr
    let buffer: xmlBufferPtr
    let out: AtomicStream

    public init(out: AtomicStream) {
        _ = LibXML.ready
        self.out = out
        buffer = xmlBufferCreate()
        writer = xmlNewTextWriterMemory(buffer, 0)
        xmlTextWriterSetIndent(writer, 0)
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    /// Moves what libxml2 has written so far into the file.
    public func drain() throws {
        xmlTextWriterFlush(writer)
        if let content = xmlBufferContent(buffer) {
            let n = Int(xmlBufferLength(buffer))
            try out.write(String(decoding: UnsafeBufferPointer(start: content, count: n), as: UTF8.self))
        }
        xmlBufferEmpty(buffer)
    }

    public func raw(_ s: String) { xmlTextWriterWriteRaw(writer, s) }

    public func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        xmlTextWriterStartElement(writer, name)
        for (k, v) in attributes { xmlTextWriterWriteAttribute(writer, k, v) }
    }

    public func text(_ s: String) { xmlTextWriterWriteString(writer, s) }

    /// A void element (`<meta …/>`): no content, no end tag.
    public func void(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        open(name, attributes)
        xmlTextWriterEndElement(writer)
    }

    /// Our own stylesheet, which HTML reads as raw text (entities are not decoded in <style>).
    public func style(_ css: String) {
        open("style")
        xmlTextWriterWriteRaw(writer, css)
        close()
    }

    /// Always an explicit end tag: `<td></td>`, never `<td/>`, which HTML would not close.
    public func close() { xmlTextWriterFullEndElement(writer) }

    public func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text t: String? = nil) {
        open(name, attributes)
        if let t { text(t) }
        close()
    }

    public func finish() throws {
        xmlTextWriterEndDocument(writer)
        try drain()
        try out.commit()
    }
}
