#include "formparts.h"

#include <QComboBox>
#include <QCompleter>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "inlinemessage.h"

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

QStringList problemTexts(const QList<Problem> &problems)
{
    QStringList result;
    for (const Problem &problem : problems)
        result.append(problem.text);
    return result;
}

QString inlineText(const QList<Problem> &problems, const QString &field, bool withContext)
{
    QStringList lines;
    for (const Problem &problem : problems) {
        if (problem.field == field)
            lines.append(withContext ? problem.text : problem.inlineText);
    }
    return inlineLines(lines);
}

QDialogButtonBox *createDialogButtons(QDialog &dialog, const QString &okText)
{
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(okText);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(u"okButton"_s);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    return buttons;
}

void showEditNote(QDialog &dialog, QLabel *&note, const QString &text, QDialogButtonBox &buttons)
{
    if (!note) {
        note = InlineMessage::createHintLabel(QString(), &dialog);
        note->setObjectName(u"editNote"_s);
        static_cast<QVBoxLayout *>(dialog.layout())->insertWidget(0, note);
    }
    note->setText(InlineMessage::breakable(text));
    buttons.button(QDialogButtonBox::Ok)->setText(u"&Apply and Reopen"_s);
}

void disconnectChildren(QObject &owner)
{
    const QList<QObject *> children = owner.findChildren<QObject *>();
    for (QObject *child : children)
        QObject::disconnect(child, nullptr, &owner, nullptr);
}

} // namespace FormParts
