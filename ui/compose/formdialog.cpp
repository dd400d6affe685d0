#include "formdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

#include "inlinemessage.h"

using namespace Qt::StringLiterals;

namespace {

// The key predates the tap dialog, which shares the list: renaming it would forget every user's list.
const auto RecentEndpointsKey = u"NewSocketDialog/recentEndpoints"_s;
const auto NameField = u"name"_s;

} // namespace

FormDialog::FormDialog(QWidget *parent)
    : QDialog(parent)
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(u"tabs"_s);
}

FormDialog::~FormDialog()
{
    // QDialog's destructor hides the dialog, which commits an open list editor and emits
    // signals into this half-destroyed object; nothing here needs to hear them any more.
    FormParts::disconnectChildren(*this);
}

void FormDialog::addTab(QWidget *page, const QString &label)
{
    m_tabs->addTab(page, label);
    m_tabLabels.append(label);
}

void FormDialog::setTabCount(int tab, qsizetype count)
{
    setTabNote(tab, count > 0 ? QString::number(count) : QString());
}

void FormDialog::setTabNote(int tab, const QString &note)
{
    const QString &label = m_tabLabels.at(tab);
    m_tabs->setTabText(tab, note.isEmpty() ? label : u"%1 (%2)"_s.arg(label, note));
}

void FormDialog::addNameRows(QFormLayout &form, QWidget *page)
{
    m_nameEdit = new QLineEdit(page);
    m_nameEdit->setObjectName(u"nameEdit"_s);
    m_nameEdit->setMaxLength(200);
    m_nameError = InlineMessage::createErrorLabel(page);
    m_nameError->setObjectName(u"nameError"_s);
    connect(m_nameEdit, &QLineEdit::textEdited, this, [this](const QString &text) {
        // A name the user typed survives type or pattern changes; clearing it brings the default back.
        m_nameEdited = !text.isEmpty();
    });
    connect(m_nameEdit, &QLineEdit::textChanged, this, &FormDialog::validate);
    form.addRow(u"&Name:"_s, m_nameEdit);
    form.addRow(QString(), m_nameError);
}

void FormDialog::finishLayout(const QString &okText)
{
    m_summaryError = InlineMessage::createErrorLabel(this);
    m_summaryError->setObjectName(u"summaryError"_s);
    m_buttons = FormParts::createDialogButtons(*this, okText);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_summaryError);
    layout->addWidget(m_buttons);
    connect(m_tabs, &QTabWidget::currentChanged, this, &FormDialog::validate);
}

void FormDialog::setEditMode(
    const QString &title, const QString &objectName, const QString &note, const QStringList &existingNames)
{
    setWindowTitle(title);
    setObjectName(objectName);
    FormParts::showEditNote(*this, m_editNote, note, *m_buttons);
    m_existingNames = existingNames;
}

QString FormDialog::name() const
{
    return m_nameEdit->text().trimmed();
}

void FormDialog::setName(const QString &name)
{
    m_nameEdit->setText(name);
    m_nameEdited = !name.isEmpty();
}

void FormDialog::updateDefaultName()
{
    if (!m_nameEdited)
        m_nameEdit->setText(defaultName());
}

void FormDialog::setExistingNames(const QStringList &names)
{
    m_existingNames = names;
    updateDefaultName();
    validate();
}

void FormDialog::addProblem(
    QList<Problem> &problems, int tab, const QString &field, const QString &context, const QString &text)
{
    problems.append({ tab, field, context.isEmpty() ? text : context + u": "_s + text, text });
}

void FormDialog::addNameProblems(
    QList<Problem> &problems, int tab, const QString &what, const QString &takenBy) const
{
    const QString name = this->name();
    if (name.isEmpty())
        addProblem(problems, tab, NameField, {},
            u"The name is empty: give the %1 a name such as \"%2\""_s.arg(what, defaultName()));
    else if (m_existingNames.contains(name))
        addProblem(
            problems, tab, NameField, {}, u"The name \"%1\" is already used by %2"_s.arg(name, takenBy));
}

QStringList FormDialog::problems() const
{
    return FormParts::problemTexts(collectProblems());
}

void FormDialog::validate()
{
    // Signals fire while the dialog is being built; wait until every part exists.
    if (!m_buttons)
        return;
    const QList<Problem> found = collectProblems();
    InlineMessage::show(m_nameError, FormParts::inlineText(found, NameField, false));
    showFieldProblems(found);

    // The form's own check and a problem on a hidden tab get a line above the buttons, so a
    // disabled OK is never a riddle.
    QString summary;
    for (const Problem &problem : found) {
        if (problem.field == FormField) {
            summary = problem.text;
            break;
        }
        if (problem.tab != m_tabs->currentIndex()) {
            summary = u"%1 tab: %2"_s.arg(QString(m_tabLabels.at(problem.tab)).remove(u'&'), problem.text);
            break;
        }
    }
    InlineMessage::show(m_summaryError, summary);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(found.isEmpty());
}

void FormDialog::accept()
{
    if (!collectProblems().isEmpty())
        return;
    rememberEndpoints(acceptedEndpoints());
    QDialog::accept();
}

QStringList FormDialog::recentEndpoints()
{
    return QSettings().value(RecentEndpointsKey).toStringList();
}

void FormDialog::rememberEndpoints(const QStringList &endpoints)
{
    QSettings settings;
    QStringList recent = settings.value(RecentEndpointsKey).toStringList();
    for (auto it = endpoints.crbegin(); it != endpoints.crend(); ++it) {
        recent.removeAll(*it);
        recent.prepend(*it);
    }
    while (recent.size() > MaxRecentEndpoints)
        recent.removeLast();
    settings.setValue(RecentEndpointsKey, recent);
}
