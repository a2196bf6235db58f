import Foundation
import TenkenAudit
import TenkenData
import TenkenReport
import TenkenSyntax

/// The SARIF of a batch in a form GitHub code scanning accepts in one upload per file:
/// `sarif/tenken-0001.sarif`, `sarif/tenken-0002.sarif`, … each holding the runs of at most
/// 20 facilities (code scanning rejects a file of more than 20 runs) and at most
/// `maxBytes` of SARIF (it rejects a file over 10 MB gzip-compressed; tenken's SARIF
/// compresses about 11 to 1). Facilities go in id order; each run keeps its own category
/// (`tenken/<pack>/<facility>/`), so the alerts of one facility are tracked apart from the
/// others' whichever file carries them, and a facility with no run in an upload keeps its
/// alerts as they were.
///
/// The runs are read back from the facilities' own `report.sarif` files (written by this
/// batch, or by the shards a merge combines), one at a time, and their base folder
/// (`SRCROOT`) set to the run's `--sarif-base`.
public enum SARIFBundle {
    public static let folder = "sarif"
    public static let maxBytes = 40 << 20

    public struct Failure: Error {
        public var path: String
        public var why: String
    }

    /// One facility's report to carry over.
    public struct Source {
        public var facility: String
        public var path: String
        public var size: Int
    }

    /// A path in the staging folder as it will be published (for messages).
    public static func published(_ path: String, staging: String) -> String {
        path.hasPrefix(staging + "/") ? String(path.dropFirst(staging.count + 1)) : path
    }

    /// Whether `name` is one `fileName` makes: `tenken-`, four or more digits, `.sarif`.
    public static func isFileName(_ name: String) -> Bool {
        guard name.hasPrefix("tenken-"), name.hasSuffix(".sarif") else { return false }
        let digits = name.dropFirst("tenken-".count).dropLast(".sarif".count)
        return digits.count >= 4 && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `tenken-0001.sarif`: at least four digits, more when a batch needs them.
    public static func fileName(_ i: Int, of n: Int) -> String {
        let width = max(4, String(n).count)
        let s = String(i)
        return "tenken-" + String(repeating: "0", count: width - s.count) + s + ".sarif"
    }

    /// Groups the sources into files: at most 20 runs and `maxBytes` each (a larger single
    /// run goes alone).
    public static func groups(
        _ sources: [Source], maxRuns: Int = SARIFReport.maxRunsPerFile, maxBytes: Int = maxBytes
    ) -> [[Source]] {
        var out: [[Source]] = []
        var cur: [Source] = []
        var bytes = 0
        for s in sources {
            if !cur.isEmpty, cur.count == maxRuns || bytes + s.size > maxBytes {
                out.append(cur)
                cur = []
                bytes = 0
            }
            cur.append(s)
            bytes += s.size
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Writes the files into `dir/sarif/`; returns how many.
    @discardableResult
    public static func write(_ sources: [Source], into dir: String, base: SARIFBase) throws(Failure) -> Int {
        let groups = groups(sources)
        let out = (dir as NSString).appendingPathComponent(folder)
        for (i, group) in groups.enumerated() {
            let path = (out as NSString).appendingPathComponent(fileName(i + 1, of: groups.count))
            let file: OutputFile
            do { file = try OutputFile(path: path, durable: false) } catch {
                throw Failure(path: path, why: error.reason)
            }
            // Each run is read when it is written, so a file never holds more than one in memory.
            var problem: Failure?
            let log = SARIFReport.log(count: group.count) { k in
                switch run(of: group[k], base: base) {
                case .success(let r): return .value(r)
                case .failure(let f):
                    if problem == nil { problem = f }
                    return .value(.null)
                }
            }
            do throws(WriteError) {
                try log.write(to: file.write)
                try file.write("\n")
            } catch {
                file.abandon()
                throw Failure(path: path, why: error.reason)
            }
            if let problem {
                file.abandon()
                throw problem
            }
            do throws(WriteError) { try file.commit() } catch { throw Failure(path: path, why: error.reason) }
        }
        return groups.count
    }

    /// The one run of a facility's SARIF log, its base set to `base`.
    public static func run(of s: Source, base: SARIFBase) -> Result<JSON, Failure> {
        let bytes: [UInt8]
        do { bytes = try readInput(s.path, maxBytes: 1 << 30).get() } catch {
            return .failure(Failure(path: s.path, why: error.message))
        }
        let (node, diags, _) = JSONReader.parse(
            bytes, file: s.path, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 30))
        guard let node else { return .failure(Failure(path: s.path, why: diags.first?.message ?? "not JSON")) }
        guard node.value["version"]?.string == "2.1.0", let runs = node.value["runs"]?.array, runs.count == 1,
            var run = json(runs[0]), case .object(var members) = run
        else {
            return .failure(
                Failure(path: s.path, why: "not a SARIF 2.1.0 log with one run, as tenken writes for a facility"))
        }
        guard automationID(run) == SARIFReport.automationID(pack: packID(run) ?? "", facility: s.facility) else {
            return .failure(Failure(path: s.path, why: "its run is not facility `\(s.facility)`'s"))
        }
        // The artifacts were written relative to the base of the run that made them (a shard
        // may have had another working directory or --sarif-base): each is made relative to
        // `base` as check and batch would, or absolute when it lies outside it.
        let oldBase = originalBase(run)
        for i in members.indices where members[i].0 != "originalUriBaseIds" {
            members[i].1 = rebased(members[i].1, from: oldBase, to: base)
        }
        if let i = members.firstIndex(where: { $0.0 == "originalUriBaseIds" }) {
            members[i].1 = .object([
                (
                    SARIFReport.baseID,
                    .object([
                        ("uri", .string(base.uri)),
                        (
                            "description",
                            .object([
                                (
                                    "text",
                                    .string(
                                        "The folder relative artifact URIs start from: the working directory, or "
                                            + "--sarif-base."
                                    )
                                )
                            ])
                        ),
                    ])
                )
            ])
        }
        run = .object(members)
        return .success(run)
    }

    /// The absolute folder `SRCROOT` names in the run's `originalUriBaseIds`, if any.
    public static func originalBase(_ run: JSON) -> String? {
        guard case .object(let m) = run, case .object(let ids)? = m.first(where: { $0.0 == "originalUriBaseIds" })?.1,
            case .object(let root)? = ids.first(where: { $0.0 == SARIFReport.baseID })?.1,
            case .string(let uri)? = root.first(where: { $0.0 == "uri" })?.1
        else { return nil }
        return path(ofFileURI: uri)
    }

    /// The absolute path of a `file:` URI (percent-decoded), or nil.
    public static func path(ofFileURI uri: String) -> String? {
        guard uri.hasPrefix("file://") else { return nil }
        let rest = String(uri.dropFirst("file://".count))
        guard rest.hasPrefix("/"), let p = rest.removingPercentEncoding else { return nil }
        return p
    }

    /// `v` with every artifact location (an object with a `uri` under `SRCROOT`, or a `file:`
    /// URI) pointing to the same file, written relative to `base` when the file lies inside
    /// it and as an absolute `file:` URI otherwise (SARIF 3.4.3, 3.4.4).
    public static func rebased(_ v: JSON, from oldBase: String?, to base: SARIFBase) -> JSON {
        switch v {
        case .array(let xs):
            return .array(xs.map { rebased($0, from: oldBase, to: base) })
        case .object(let ms):
            var file: String?
            if case .string(let uri)? = ms.first(where: { $0.0 == "uri" })?.1 {
                if case .string(let id)? = ms.first(where: { $0.0 == "uriBaseId" })?.1 {
                    if id == SARIFReport.baseID, let oldBase, let rel = uri.removingPercentEncoding, !rel.hasPrefix("/")
                    {
                        file = SARIFBase.normalize(rel, cwd: oldBase)
                    }
                } else {
                    file = path(ofFileURI: uri)
                }
            }
            var out: [(String, JSON)] = []
            out.reserveCapacity(ms.count + 1)
            for (k, x) in ms {
                if let file, k == "uri" {
                    if let rel = base.relative(file) {
                        out.append(("uri", .string(SARIFReport.uri(rel))))
                        out.append(("uriBaseId", .string(SARIFReport.baseID)))
                    } else {
                        out.append(("uri", .string(SARIFReport.uri(base.absolute(file)))))
                    }
                } else if file != nil, k == "uriBaseId" {
                    continue
                } else {
                    out.append((k, rebased(x, from: oldBase, to: base)))
                }
            }
            return .object(out)
        default:
            return v
        }
    }

    public static func automationID(_ run: JSON) -> String? {
        guard case .object(let m) = run, case .object(let a)? = m.first(where: { $0.0 == "automationDetails" })?.1,
            case .string(let id)? = a.first(where: { $0.0 == "id" })?.1
        else { return nil }
        return id
    }

    /// The pack id from the run's category `tenken/<pack>/<facility>/`.
    public static func packID(_ run: JSON) -> String? {
        guard let id = automationID(run) else { return nil }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count >= 3 && parts[0] == "tenken" ? String(parts[1]) : nil
    }

    /// A parsed JSON value as the writer's value; nil for a number that is not an integer
    /// (tenken's SARIF has none).
    public static func json(_ v: JSONValue) -> JSON? {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .number: return nil
        case .string(let s): return .string(s)
        case .array(let xs):
            var out: [JSON] = []
            out.reserveCapacity(xs.count)
            for x in xs { guard let j = json(x.value) else { return nil }; out.append(j) }
            return .array(out)
        case .object(let ms):
            var out: [(String, JSON)] = []
            out.reserveCapacity(ms.count)
            for m in ms { guard let j = json(m.node.value) else { return nil }; out.append((m.key, j)) }
            return .object(out)
        }
    }

    /// The facilities' reports to bundle, in the aggregate's (id) order: each evaluated
    /// facility's `facilities/<id>/report.sarif` under the folder `folderOf(id)` names.
    public static func sources(_ a: Aggregate, folderOf: (FacilitySummary) -> String?) -> Result<[Source], Failure> {
        var out: [Source] = []
        for f in a.facilities where f.status == .evaluated {
            guard let dir = folderOf(f) else { continue }
            // An id from an aggregate read back names a folder only as a batch would make it.
            guard BatchDiscovery.safeName(f.id) else {
                return .failure(Failure(path: dir, why: "facility id `\(f.id)` cannot name a report folder"))
            }
            let path = ((dir as NSString).appendingPathComponent("facilities/\(f.id)") as NSString)
                .appendingPathComponent(ReportFormat.sarif.fileName)
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                return .failure(Failure(path: path, why: "facility `\(f.id)` has no SARIF report there"))
            }
            out.append(Source(facility: f.id, path: path, size: Int(st.st_size)))
        }
        return .success(out)
    }

    /// The reports a merge carries over: none when no shard wrote SARIF; every evaluated
    /// facility's when one did (a shard run without SARIF beside others with it is an error,
    /// not a silent gap in the uploads).
    public static func merged(_ a: Aggregate, folders: [String: String]) -> Result<[Source]?, Failure> {
        let any = a.facilities.contains { f in
            f.status == .evaluated
                && folders[f.id].map {
                    FileManager.default.fileExists(
                        atPath: (($0 as NSString).appendingPathComponent("facilities/\(f.id)") as NSString)
                            .appendingPathComponent(ReportFormat.sarif.fileName))
                } == true
        }
        guard any else { return .success(nil) }
        return sources(a, folderOf: { folders[$0.id] }).map { Optional($0) }
    }
}
