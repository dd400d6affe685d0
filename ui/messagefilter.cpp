#include "messagefilter.h"

#include <algorithm>

#include <QFuture>
#include <QList>
#include <QThreadPool>
#include <QtConcurrentRun>

#include "backgroundpool.h"

namespace zmqscope {

namespace {

// Below this many messages a scan is not worth splitting over threads.
constexpr std::uint64_t MinMessagesPerThread = 100'000;

} // namespace

void MessageFilter::setText(const QString &text)
{
    Result<MessageMatcher> compiled = MessageMatcher::compile(text);
    m_matcher = compiled ? std::move(*compiled) : MessageMatcher::words(text);
}

bool MessageFilter::matches(const MessageView &message) const
{
    return passesDirection(message.direction) && matchesIgnoringDirection(message);
}

bool MessageFilter::matchesIgnoringDirection(const MessageView &message) const
{
    if (m_socket != 0 && message.socket != m_socket)
        return false;
    if (m_matcher.isEmpty())
        return true;
    FilterSubject subject;
    subject.frames = message.frames;
    subject.peer = message.peer;
    subject.direction = message.direction;
    if (m_matcher.isExpression() && m_labels) {
        // Only an expression reads the socket's name and type.
        const auto label = m_labels->constFind(message.socket);
        if (label != m_labels->cend()) {
            subject.socket = label->name;
            subject.type = label->type;
            if (message.direction == Direction::ClientToServer && !label->clientsType.isEmpty())
                subject.type = label->clientsType;
            else if (message.direction == Direction::ServerToClient && !label->serverType.isEmpty())
                subject.type = label->serverType;
        }
    }
    return m_matcher.matches(subject);
}

MessageFilter::ScanResult MessageFilter::scanRange(const MessageStore &store, std::uint64_t begin,
    std::uint64_t end, const std::atomic<bool> &cancelled) const
{
    ScanResult result;
    store.visit(begin, end, [&](const MessageView &message) {
        // Checking the flag per message costs next to nothing and keeps cancelling prompt.
        if (cancelled.load(std::memory_order_relaxed))
            return false;
        if (!matchesIgnoringDirection(message))
            return true;
        if (passesDirection(message.direction))
            result.seqs.push_back(message.seq);
        else
            result.otherDirections |= directionBit(message.direction);
        return true;
    });
    return result;
}

MessageFilter::ScanResult MessageFilter::scan(const MessageStore &store, std::uint64_t begin,
    std::uint64_t end, const std::atomic<bool> &cancelled) const
{
    begin = std::max(begin, store.firstSeq());
    if (begin >= end)
        return {};
    const std::uint64_t count = end - begin;
    const auto threads = std::uint64_t(std::clamp(backgroundPool().maxThreadCount(), 1, 8));
    const std::uint64_t parts = std::clamp<std::uint64_t>(count / MinMessagesPerThread, 1, threads);
    if (parts == 1)
        return scanRange(store, begin, end, cancelled);

    // The first part runs here, the others in the pool; waiting on a part no thread has started runs it
    // here too, so a busy pool slows the scan down but never blocks it.
    const std::uint64_t step = count / parts;
    QList<QFuture<ScanResult>> others;
    for (std::uint64_t part = 1; part < parts; ++part) {
        const std::uint64_t partBegin = begin + part * step;
        const std::uint64_t partEnd = part + 1 == parts ? end : partBegin + step;
        others.append(QtConcurrent::run(&backgroundPool(), [this, &store, partBegin, partEnd, &cancelled] {
            return scanRange(store, partBegin, partEnd, cancelled);
        }));
    }
    ScanResult result = scanRange(store, begin, begin + step, cancelled);
    for (QFuture<ScanResult> &future : others) {
        const ScanResult part = future.result();
        result.seqs.insert(result.seqs.end(), part.seqs.cbegin(), part.seqs.cend());
        result.otherDirections |= part.otherDirections;
    }
    return result;
}

} // namespace zmqscope
