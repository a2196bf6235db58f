import CLibXML2
import TenkenSyntax

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull parser over one XML part, on libxml2's streaming reader (xmlTextReader): constant
/// memory whatever the part's size, no network (`XML_PARSE_NONET`), no entity substitution and
/// no DTD loading. A document type declaration is refused outright (`workbook.dtd`): no
/// SpreadsheetML part has one, and refusing it closes the door on external entities (XXE) and
/// entity expansion ("billion laughs") before any entity is declared for use.
final class XMLStream {
    enum NodeType: Int32 {
        case element = 1, attribute = 2, text = 3, cdata = 4, entityReference = 5, entity = 6, processingInstruction =
            7,
            comment = 8, document = 9, documentType = 10, documentFragment = 11, notation = 12, whitespace = 13,
            significantWhitespace = 14, endElement = 15, endEntity = 16, xmlDeclaration = 17
    }

    /// Why parsing stopped: the message and the place in the part (1-based; 0 when unknown).
    struct Failure: Error {
        var id: String
        var message: String
        var line: Int
        var column: Int
        /// The sheet cell being read when it happened (0 when none).
        var cellRow = 0, cellColumn = 0
    }

    private final class ErrorBox {
        var first: (message: String, line: Int, column: Int)?
    }

    /// SpreadsheetML elements the hot loops (sheet cells, shared strings) look for, named once
    /// per node instead of compared again by every test.
    enum Known: UInt8 {
        case other, sheetData, row, c, v, f, `is`, t, rPh, si
    }

    private let reader: OpaquePointer
    private let errors: ErrorBox
    private(set) var type: NodeType = .document
    /// The element's local name, the attribute's while walking attributes.
    private(set) var name: UnsafePointer<UInt8>?
    /// For an element or end-element node in a SpreadsheetML namespace: which of the known
    /// elements it is (`.other` for the rest, and for every other kind of node).
    private(set) var known: Known = .other

    static let optionsMask = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_COMPACT.rawValue)

    private init?(buffer: UnsafeBufferPointer<UInt8>, url: String) {
        guard let base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1), buffer.count <= Int(Int32.max) else {
            return nil
        }
        let r = base.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
            xmlReaderForMemory($0, Int32(buffer.count), url, nil, XMLStream.optionsMask)
        }
        guard let r else { return nil }
        reader = r
        errors = ErrorBox()
        let handler: xmlStructuredErrorFunc = { ctx, err in
            guard let ctx, let err else { return }
            let box = Unmanaged<ErrorBox>.fromOpaque(ctx).takeUnretainedValue()
            // Warnings (level 1) do not stop the reader; the first error does.
            guard box.first == nil, err.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            // libxml2's own message quotes the document (an entity's or a tag's name, the
            // bytes that are not UTF-8), which may be facility data: only its code is used.
            box.first = (XMLStream.describe(code: Int(err.pointee.code)), Int(err.pointee.line), Int(err.pointee.int2))
        }
        xmlTextReaderSetStructuredErrorHandler(r, handler, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit { xmlFreeTextReader(reader) }

    /// A fixed description of a libxml2 error code (`xmlParserErrors`), naming no part of
    /// the document: the place (part, line, column, nearby cell) says where.
    static func describe(code: Int) -> String {
        switch code {
        case 2: "the part is too large to parse"
        case 3, 4: "the part is empty or does not start with an element"
        case 5, 86: "text follows the end of the document"
        case 6, 7, 8, 10, 11, 12: "a character reference is not a character"
        case 23: "an entity or character reference lacks its closing `;`"
        case 22, 24, 26, 27: "an entity reference names no entity XML defines (only &amp; &lt; &gt; &quot; &apos; are)"
        case 34, 38, 39, 40, 41: "an attribute value is not quoted or holds a `<`"
        case 42, 203: "an element gives one attribute twice"
        case 68, 73, 77: "a tag is not complete"
        case 76: "an element's end tag does not match its start tag"
        case 9, 81: "the bytes are not UTF-8 (or not the encoding the part declares)"
        case 200...299: "a namespace prefix is not declared or not well formed"
        default: "the part is not well-formed XML (libxml2 error \(code))"
        }
    }

    /// libxml2 is initialised once before any thread parses (batches read workbooks on
    /// several threads); Swift runs this initialiser exactly once.
    static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// Runs `body` over a parser on `bytes`; the bytes outlive the parser.
    static func parse<T>(_ bytes: [UInt8], url: String, _ body: (XMLStream) throws(Failure) -> T) -> Result<T, Failure>
    {
        // libxml2's reader parses ahead of the node it returns, so a document type would be
        // read, and its entities used, before the reader's node shows it. The prolog is
        // checked first.
        if let f = prologDocumentType(bytes) { return .failure(f) }
        _ = XMLStream.initialised
        // Encoding errors go to libxml2's generic handler (stderr), not the reader's; the
        // handler is per thread, so it is set on the thread that parses.
        tenken_silence_errors()
        return bytes.withUnsafeBufferPointer { buf in
            guard let s = XMLStream(buffer: buf, url: url) else {
                return .failure(
                    Failure(id: "workbook.xml-syntax", message: "XML part could not be opened", line: 0, column: 0))
            }
            defer { withExtendedLifetime(s) {} }
            do throws(Failure) {
                return .success(try body(s))
            } catch {
                return .failure(error)
            }
        }
    }

    /// A `<!DOCTYPE` in the prolog (after the XML declaration, comments, processing
    /// instructions and white space, before the root element), for UTF-8 documents; other
    /// encodings are caught by the reader's own node check.
    static func prologDocumentType(_ b: [UInt8]) -> Failure? {
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func at(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            for k in 0..<n where b[i + k] != s.utf8Start[k] { return false }
            return true
        }
        func skip(past s: StaticString) {
            while i < b.count, !at(s) { i += 1 }
            i += s.utf8CodeUnitCount
        }
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default:
                if at("<?") {
                    skip(past: "?>")
                } else if at("<!--") {
                    skip(past: "-->")
                } else if at("<!DOCTYPE") {
                    let line = 1 + b[0..<i].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                    return Failure(
                        id: "workbook.dtd",
                        message: "XML part declares a document type or entities, which SpreadsheetML never does",
                        line: line, column: i - (b[0..<i].lastIndex(of: 10) ?? -1))
                } else {
                    return nil
                }
            }
        }
        return nil
    }

    /// Moves to the next node; false at the end of the document.
    func next() throws(Failure) -> Bool {
        let rc = xmlTextReaderRead(reader)
        if rc == 1 {
            type = NodeType(rawValue: xmlTextReaderNodeType(reader)) ?? .document
            known = .other
            if type == .element || type == .endElement {
                // The node itself, read directly: one call instead of one per field (the
                // reader's node stays valid until the next read).
                let node = xmlTextReaderCurrentNode(reader)
                name = node?.pointee.name
                let k = XMLStream.classify(name)
                if k != .other, XMLStream.isSpreadsheet(node?.pointee.ns?.pointee.href) { known = k }
            } else {
                name = nil
            }
            switch type {
            case .documentType, .entityReference, .entity:
                throw Failure(
                    id: "workbook.dtd",
                    message: "XML part declares a document type or entities, which SpreadsheetML never does",
                    line: line, column: column)
            default: return true
            }
        }
        if rc == 0, errors.first == nil { return false }
        let e = errors.first ?? ("malformed XML", line, column)
        throw Failure(id: "workbook.xml-syntax", message: "malformed XML: " + e.message, line: e.line, column: e.column)
    }

    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
    var column: Int { Int(xmlTextReaderGetParserColumnNumber(reader)) }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    /// True for `<x/>`, which has no end-element node.
    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
    var isText: Bool { type == .text || type == .cdata || type == .whitespace || type == .significantWhitespace }

    /// The current element starts and is `local` in one of `namespaces`.
    func isStart(_ local: StaticString, _ namespaces: [StaticString] = Namespace.spreadsheet) -> Bool {
        type == .element && XMLStream.equal(name, local) && inNamespace(namespaces)
    }

    func isEnd(_ local: StaticString, _ namespaces: [StaticString] = Namespace.spreadsheet) -> Bool {
        type == .endElement && XMLStream.equal(name, local) && inNamespace(namespaces)
    }

    func inNamespace(_ namespaces: [StaticString]) -> Bool {
        let ns = xmlTextReaderConstNamespaceUri(reader)
        return namespaces.contains { XMLStream.equal(ns, $0) }
    }

    static func classify(_ p: UnsafePointer<UInt8>?) -> Known {
        guard let p, p[0] != 0 else { return .other }
        switch (p[0], p[1]) {
        case (UInt8(ascii: "c"), 0): return .c
        case (UInt8(ascii: "v"), 0): return .v
        case (UInt8(ascii: "f"), 0): return .f
        case (UInt8(ascii: "t"), 0): return .t
        case (UInt8(ascii: "i"), UInt8(ascii: "s")) where p[2] == 0: return .is
        case (UInt8(ascii: "s"), UInt8(ascii: "i")) where p[2] == 0: return .si
        case (UInt8(ascii: "r"), UInt8(ascii: "o")) where equal(p, "row"): return .row
        case (UInt8(ascii: "r"), UInt8(ascii: "P")) where equal(p, "rPh"): return .rPh
        case (UInt8(ascii: "s"), UInt8(ascii: "h")) where equal(p, "sheetData"): return .sheetData
        default: return .other
        }
    }

    static func isSpreadsheet(_ ns: UnsafePointer<UInt8>?) -> Bool {
        equal(ns, "http://schemas.openxmlformats.org/spreadsheetml/2006/main")
            || equal(ns, "http://purl.oclc.org/ooxml/spreadsheetml/main")
    }

    /// The current element's attributes without a namespace, by the first byte of a
    /// one-letter local name (`r`, `s`, `t`): the value's bytes, valid only during the call.
    func forEachShortAttribute(_ body: (UInt8, UnsafePointer<UInt8>) -> Void) {
        // The element's attribute list, walked directly (moving the reader to each attribute
        // costs several calls per attribute, on every cell).
        var a = xmlTextReaderCurrentNode(reader)?.pointee.properties
        while let attr = a {
            a = attr.pointee.next
            guard attr.pointee.ns == nil, let l = attr.pointee.name, l[0] != 0, l[1] == 0 else { continue }
            if let text = attr.pointee.children, text.pointee.next == nil, text.pointee.type == XML_TEXT_NODE,
                let v = text.pointee.content
            {
                body(l[0], v)
            } else if let v = xmlNodeListGetString(attr.pointee.doc, attr.pointee.children, 1) {
                // A value split over several nodes (or empty): joined, then freed.
                body(l[0], v)
                tenken_xmlFree(v)
            } else {
                var empty: UInt8 = 0
                body(l[0], &empty)
            }
        }
    }

    /// The current text node's content.
    var text: String { XMLStream.string(xmlTextReaderConstValue(reader)) }

    /// Appends the text node's UTF-8 bytes to `out`; false when `out` would pass `limit`.
    func appendText(to out: inout [UInt8], limit: Int) -> Bool {
        guard let p = xmlTextReaderConstValue(reader) else { return true }
        var n = 0
        while p[n] != 0 { n += 1 }
        guard out.count + n <= limit else { return false }
        out.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        return true
    }

    /// Walks the current element's attributes: local name, namespace URI and value, each valid
    /// only during the call. The reader is back on the element afterwards.
    func forEachAttribute(_ body: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) -> Void) {
        guard xmlTextReaderMoveToFirstAttribute(reader) == 1 else { return }
        repeat {
            body(
                xmlTextReaderConstLocalName(reader), xmlTextReaderConstNamespaceUri(reader),
                xmlTextReaderConstValue(reader))
        } while xmlTextReaderMoveToNextAttribute(reader) == 1
        xmlTextReaderMoveToElement(reader)
    }

    /// Unqualified attributes by local name (SpreadsheetML's own attributes have no namespace).
    func attributes(_ wanted: [StaticString]) -> [String?] {
        var out = [String?](repeating: nil, count: wanted.count)
        forEachAttribute { local, ns, value in
            guard ns == nil else { return }
            for (i, w) in wanted.enumerated() where XMLStream.equal(local, w) { out[i] = XMLStream.string(value) }
        }
        return out
    }

    /// An attribute by local name in one of `namespaces` (`r:id`).
    func attribute(_ local: StaticString, in namespaces: [StaticString]) -> String? {
        var out: String?
        forEachAttribute { l, ns, value in
            if XMLStream.equal(l, local), namespaces.contains(where: { XMLStream.equal(ns, $0) }) {
                out = XMLStream.string(value)
            }
        }
        return out
    }

    /// Skips to the end of the current element (its children unread).
    func skipElement() throws(Failure) {
        guard type == .element, !isEmptyElement else { return }
        let d = depth
        while try next() {
            if type == .endElement && depth == d { return }
        }
    }

    static func equal(_ p: UnsafePointer<UInt8>?, _ s: StaticString) -> Bool {
        guard let p else { return false }
        let n = s.utf8CodeUnitCount
        // strncmp stops at p's terminating NUL, so a shorter p is never read past.
        return p.withMemoryRebound(to: CChar.self, capacity: n + 1) { a in
            s.utf8Start.withMemoryRebound(to: CChar.self, capacity: n) { b in strncmp(a, b, n) == 0 }
        } && p[n] == 0
    }

    static func string(_ p: UnsafePointer<UInt8>?) -> String {
        guard let p else { return "" }
        var n = 0
        while p[n] != 0 { n += 1 }
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
}

/// Namespace URIs of Office Open XML, transitional (what Excel and LibreOffice write) and
/// strict (ISO/IEC 29500 strict, which Excel can save).
enum Namespace {
    static let spreadsheet: [StaticString] = [
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main",
    ]
    static let officeRelationships: [StaticString] = [
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    ]
    static let packageRelationships: [StaticString] = ["http://schemas.openxmlformats.org/package/2006/relationships"]
}

extension String {
    func trimmingSpacesAndNewlines() -> String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeLast() }
        return String(s)
    }
}
