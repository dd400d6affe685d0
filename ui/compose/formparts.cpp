#include "formparts.h"

#include <QComboBox>
#include <QCompleter>
#include <QLineEdit>

using namespace Qt::StringLiterals;

namespace FormParts {

QComboBox *createEndpointEdit(
    QWidget *parent, const QStringList &recent, const QString &text, const QString &placeholder)
{
    auto *edit = new QComboBox(parent);
    edit->setObjectName(u"endpointEdit"_s);
    edit->setEditable(true);
    edit->setInsertPolicy(QComboBox::NoInsert);
    edit->addItems(recent);
    edit->setEditText(text);
    edit->lineEdit()->setPlaceholderText(placeholder);
    edit->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    edit->setMinimumContentsLength(28);
    edit->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    if (QCompleter *completer = edit->completer()) {
        completer->setCompletionMode(QCompleter::PopupCompletion);
        completer->setFilterMode(Qt::MatchContains);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
    }
    return edit;
}

QString inlineLines(const QStringList &lines)
{
    constexpr qsizetype MaxLines = 4;
    if (lines.size() <= MaxLines)
        return lines.join(u'\n');
    return (lines.first(MaxLines) + QStringList { u"…and %1 more"_s.arg(lines.size() - MaxLines) })
        .join(u'\n');
}

void disconnectChildren(QObject &owner)
{
    const QList<QObject *> children = owner.findChildren<QObject *>();
    for (QObject *child : children)
        QObject::disconnect(child, nullptr, &owner, nullptr);
}

} // namespace FormParts
