#include "filteron.h"

#include <functional>
#include <optional>

#include <QAction>

#include <zmqscope/analysis/filterexpression.h>
#include <zmqscope/envelope.h>

#include "detail/messagedetailview.h"
#include "filterbar.h"
#include "socketlistmodel.h"

using namespace Qt::StringLiterals;

namespace zmqscope::filteron {

namespace {

using Expression = std::function<QString(const StoredMessage &, const QString &socket)>;

/// An envelope part of message (by its index function), none for a raw message.
std::optional<QByteArray> envelopePart(const StoredMessage &message, qsizetype (*index)(qsizetype) noexcept)
{
    const auto count = qsizetype(message.frames.size());
    const EnvelopeLayout layout
        = envelopeLayout(count, [&](qsizetype i) { return message.frames.at(i).size(); });
    if (layout.kind == MessageKind::Raw)
        return std::nullopt;
    return message.frames.at(index(count));
}

} // namespace

QList<QAction *> makeActions(
    QWidget &parent, const MessageDetailView &detail, const SocketListModel &sockets, FilterBar &bar)
{
    const auto make = [&](const QString &text, const QString &name, const Expression &expression) {
        auto *action = new QAction(text, &parent);
        action->setObjectName(name);
        QObject::connect(action, &QAction::triggered, &bar, [&detail, &sockets, &bar, expression] {
            if (!detail.hasMessage())
                return;
            const StoredMessage &message = detail.message();
            const QString filter = expression(message, sockets.socketNames().value(message.socket));
            if (!filter.isEmpty())
                bar.setText(filter);
        });
        return action;
    };
    return {
        make(u"Filter on This &Id"_s, u"filterOnIdAction"_s,
            [](const StoredMessage &message, const QString &) {
                const std::optional<QByteArray> id = envelopePart(message, &EnvelopeLayout::idIndex);
                return id ? u"id == "_s + FilterExpression::quote(*id) : QString();
            }),
        make(u"Filter on This &Mimetype"_s, u"filterOnMimetypeAction"_s,
            [](const StoredMessage &message, const QString &) {
                const std::optional<QByteArray> mimetype
                    = envelopePart(message, &EnvelopeLayout::mimetypeIndex);
                return mimetype ? u"mimetype == "_s + FilterExpression::quote(*mimetype) : QString();
            }),
        make(u"Filter on This S&ocket's Name"_s, u"filterOnSocketAction"_s,
            [](const StoredMessage &, const QString &socket) {
                return socket.isEmpty() ? QString()
                                        : u"socket == "_s + FilterExpression::quote(socket.toUtf8());
            }),
    };
}

} // namespace zmqscope::filteron
