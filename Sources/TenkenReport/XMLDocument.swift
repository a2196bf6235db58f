import CLibXML2
import TenkenSyntax

/// An XML or HTML document built with libxml2's tree API and serialised by libxml2. It owns
/// the C document and frees it when released; nodes are only handed out while building.
/// Text and attribute values always go through the escaping calls (`xmlNewProp`,
/// `xmlNodeAddContent`), never through `xmlNewChild` with content, which treats it as markup.
/// libxml2 must be initialised once, on one thread, before threads use it.
enum LibXML {
    static let ready: Bool = {
        xmlInitParser()
        tenken_silence_errors()
        return true
    }()
}

public final class XMLTree {
    public let doc: xmlDocPtr
    let isHTML: Bool

    public struct Element {
        public let node: xmlNodePtr
    }

    /// An XML document with the given root element.
    public init(root name: String) {
        _ = LibXML.ready
        doc = xmlNewDoc("1.0")
        isHTML = false
        let r = xmlNewDocNode(doc, nil, name, nil)
        xmlDocSetRootElement(doc, r)
    }

    /// An HTML5 document (`<!DOCTYPE html>`) whose root is `<html lang=…>`.
    public init(htmlLang: String) {
        _ = LibXML.ready
        doc = htmlNewDocNoDtD(nil, nil)
        isHTML = true
        xmlCreateIntSubset(doc, "html", nil, nil)
        let r = xmlNewDocNode(doc, nil, "html", nil)
        xmlDocSetRootElement(doc, r)
        xmlNewProp(r, "lang", htmlLang)
    }

    deinit { xmlFreeDoc(doc) }

    public var root: Element { Element(node: xmlDocGetRootElement(doc)) }

    /// A namespace declared on the root element, for `add(_:to:namespace:…)`.
    public struct Namespace { let ns: xmlNsPtr }

    /// Declares `prefix` for `href` on the root element.
    public func declare(prefix: String, _ href: String) -> Namespace {
        Namespace(ns: xmlNewNs(xmlDocGetRootElement(doc), href, prefix))
    }

    @discardableResult
    public func add(
        _ name: String, to parent: Element, namespace: Namespace? = nil,
        _ attributes: KeyValuePairs<String, String> = [:], text: String? = nil
    ) -> Element {
        let n = xmlNewChild(parent.node, namespace?.ns, name, nil)!
        for (k, v) in attributes { xmlNewProp(n, k, SafeText.xml(v)) }
        if let text { xmlNodeAddContent(n, SafeText.xml(text)) }
        return Element(node: n)
    }

    public func set(_ name: String, _ value: String, on e: Element) {
        xmlSetProp(e.node, name, SafeText.xml(value))
    }

    /// Puts the root element in a default namespace; elements added later inherit it.
    public func setDefaultNamespace(_ href: String) {
        let r = xmlDocGetRootElement(doc)
        xmlSetNs(r, xmlNewNs(r, href, nil))
    }

    /// `xml:lang` on an element, through libxml2's own call (the `xml` prefix is predeclared).
    public func setLanguage(_ lang: String, on e: Element) {
        xmlNodeSetLang(e.node, lang)
    }

    public func text(_ s: String, in e: Element) {
        xmlNodeAddContent(e.node, SafeText.xml(s))
    }

    /// Serialises straight into `sink` (a file), chunk by chunk, without a whole copy in memory.
    /// The same bytes as `serialize()`.
    public func write(to sink: ReportSink) throws(WriteError) {
        final class Context {
            let sink: ReportSink
            var error: WriteError?
            init(_ s: ReportSink) { sink = s }
        }
        let context = Context(sink)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let write: xmlOutputWriteCallback = { ctx, buffer, len in
            guard let ctx, let buffer, len >= 0 else { return -1 }
            let c = Unmanaged<Context>.fromOpaque(ctx).takeUnretainedValue()
            if c.error != nil { return -1 }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: buffer, count: Int(len)))
            do throws(WriteError) { try c.sink.write(bytes: bytes) } catch {
                c.error = error
                return -1
            }
            return len
        }
        guard let out = xmlOutputBufferCreateIO(write, nil, unmanaged.toOpaque(), nil) else {
            throw WriteError(path: "report", kind: .other, reason: "libxml2 could not make an output buffer")
        }
        if isHTML {
            htmlSetMetaEncoding(doc, "UTF-8")
            htmlDocContentDumpFormatOutput(out, doc, nil, 1)
            xmlOutputBufferClose(out)
        } else {
            xmlSaveFormatFileTo(out, doc, "UTF-8", 1)  // closes the buffer
        }
        if let e = context.error { throw e }
    }

    /// Serialised as UTF-8 with Japanese kept literal.
    public func serialize() -> String {
        var buf: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        if isHTML {
            htmlSetMetaEncoding(doc, "UTF-8")
            htmlDocDumpMemoryFormat(doc, &buf, &size, 1)
        } else {
            xmlDocDumpFormatMemoryEnc(doc, &buf, &size, "UTF-8", 1)
        }
        guard let buf else { return "" }
        defer { tenken_xmlFree(buf) }
        return String(decoding: UnsafeBufferPointer(start: buf, count: Int(size)), as: UTF8.self)
    }
}

/// A report built as an XML or HTML tree (HTML, JUnit, XCCDF): rendered in memory for
/// standard output, or serialised straight into a file.
public protocol TreeReport {
    static func tree(_ r: ReportInput) -> XMLTree
}

extension TreeReport {
    public static func render(_ r: ReportInput) -> String {
        let s = StringSink()
        try? tree(r).write(to: s)  // memory never fails
        return s.text
    }

    public static func write(_ r: ReportInput, to sink: ReportSink) throws(WriteError) {
        try tree(r).write(to: sink)
    }
}

/// Checks an XML document against an XML Schema with libxml2; returns the problems found.
public enum XMLValidation {
    public static func validate(xml: String, xsd: String) -> [String] {
        _ = LibXML.ready
        tenken_silence_errors()
        final class Sink { var errors: [String] = [] }
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        let collect: xmlStructuredErrorFunc = { ctx, err in
            guard let ctx, let err else { return }
            let s = Unmanaged<Sink>.fromOpaque(ctx).takeUnretainedValue()
            let msg = err.pointee.message.map { String(cString: $0) } ?? "error"
            s.errors.append("line \(err.pointee.line): \(msg.trimmingCharacters())")
        }
        // The parser context keeps the buffer's address and reads it in xmlSchemaParse, so the
        // bytes must outlive both calls (a bridged String pointer lives for one call only).
        let xsdBytes = Array(xsd.utf8)
        let parsed: xmlSchemaPtr? = xsdBytes.withUnsafeBufferPointer { buf -> xmlSchemaPtr? in
            buf.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buf.count) { base -> xmlSchemaPtr? in
                guard let pctx = xmlSchemaNewMemParserCtxt(base, Int32(buf.count)) else { return nil }
                defer { xmlSchemaFreeParserCtxt(pctx) }
                xmlSchemaSetParserStructuredErrors(pctx, collect, unmanaged.toOpaque())
                return xmlSchemaParse(pctx)
            }
        }
        guard let schema = parsed else { return ["the schema does not parse"] + sink.errors }
        defer { xmlSchemaFree(schema) }
        guard
            let doc = xmlReadMemory(xml, Int32(xml.utf8.count), "report.xml", "UTF-8", Int32(XML_PARSE_NONET.rawValue))
        else {
            return ["the document is not well-formed XML"]
        }
        defer { xmlFreeDoc(doc) }
        guard let vctx = xmlSchemaNewValidCtxt(schema) else { return ["cannot validate"] }
        defer { xmlSchemaFreeValidCtxt(vctx) }
        xmlSchemaSetValidStructuredErrors(vctx, collect, unmanaged.toOpaque())
        let rc = xmlSchemaValidateDoc(vctx, doc)
        if rc != 0 && sink.errors.isEmpty { return ["invalid (code \(rc))"] }
        return sink.errors
    }

    /// Parses HTML back with libxml2's HTML parser; returns the text of every element named `tag`.
    public static func htmlTexts(_ html: String, tag: String) -> [String]? {
        _ = LibXML.ready
        tenken_silence_errors()
        let opts = Int32(HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue)
        guard let doc = htmlReadMemory(html, Int32(html.utf8.count), "report.html", "UTF-8", opts) else { return nil }
        defer { xmlFreeDoc(doc) }
        var out: [String] = []
        func walk(_ n: xmlNodePtr?) {
            var cur = n
            while let c = cur {
                if c.pointee.type == XML_ELEMENT_NODE, String(cString: c.pointee.name) == tag,
                    let content = xmlNodeGetContent(c)
                {
                    out.append(String(cString: content))
                    tenken_xmlFree(content)
                }
                walk(c.pointee.children)
                cur = c.pointee.next
            }
        }
        walk(xmlDocGetRootElement(doc))
        return out
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let l = s.last, l == "\n" || l == " " { s.removeLast() }
        return String(s)
    }
}
