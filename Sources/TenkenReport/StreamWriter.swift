import CLibXML2
import Foundation
import TenkenSyntax

/// Where a report is written: a file (`OutputFile`) or memory (`StringSink`, for standard
/// output and tests). Every writer goes through one of these, so a large report is never held
/// whole in memory on its way to a file.
public protocol ReportSink: AnyObject {
    func write(_ s: String) throws(WriteError)
    func write(bytes: [UInt8]) throws(WriteError)
}

extension OutputFile: ReportSink {}

/// A report collected in memory.
public final class StringSink: ReportSink {
    var bytes: [UInt8] = []
    public init() {}
    public func write(_ s: String) { bytes.append(contentsOf: s.utf8) }
    public func write(bytes b: [UInt8]) { bytes.append(contentsOf: b) }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// HTML written element by element with libxml2's streaming writer, which escapes text and
/// attributes; for documents whose size grows with the input (the batch heatmap), where a
/// whole tree in memory would grow with it.
public final class HTMLStream {
    let writer: xmlTextWriterPtr
    let buffer: xmlBufferPtr
    /// Nil for a writer of fragments (`take`), which never reach a file themselves.
    let out: OutputFile?

    public convenience init(out: OutputFile) { self.init(to: out) }

    /// A writer whose output is taken piece by piece with `take`.
    convenience init() { self.init(to: nil) }

    private init(to out: OutputFile?) {
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
    public func drain() throws(WriteError) {
        xmlTextWriterFlush(writer)
        if let out, let content = xmlBufferContent(buffer) {
            let n = Int(xmlBufferLength(buffer))
            // Its bytes as they are: libxml2 writes UTF-8 of Swift strings and of bytes copied from
            // them, so decoding them into a String first (as this did) only checked them again.
            try out.write(bytes: UnsafeBufferPointer(start: content, count: n))
        }
        xmlBufferEmpty(buffer)
    }

    /// What was written since the last `take`, as bytes: a fragment written once by libxml2 and
    /// copied wherever it recurs (`raw(bytes:)`).
    func take() -> [UInt8] {
        xmlTextWriterFlush(writer)
        defer { xmlBufferEmpty(buffer) }
        guard let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }

    public func raw(_ s: String) { xmlTextWriterWriteRaw(writer, s) }

    /// Bytes written as they are, closing an open start tag first as the writer's own calls do.
    func raw(bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { xmlTextWriterWriteRawLen(writer, $0.baseAddress, Int32($0.count)) }
    }

    public func open(_ name: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        xmlTextWriterStartElement(writer, name)
        for (k, v) in attributes { xmlTextWriterWriteAttribute(writer, k, SafeText.xml(v)) }
    }

    public func text(_ s: String) { xmlTextWriterWriteString(writer, SafeText.xml(s)) }

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

    public func finish() throws(WriteError) {
        xmlTextWriterEndDocument(writer)
        try drain()
        try out?.commit()
    }
}
