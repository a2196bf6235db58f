import Foundation

/// A value behind a pthread mutex (NSLock). Synchronization's Mutex locks with futexes that
/// ThreadSanitizer does not model, so tenken uses this to stay checkable.
public final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    public init(_ v: T) { value = v }
    public func withLock<R>(_ body: (inout T) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
