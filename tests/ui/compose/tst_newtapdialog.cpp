// The New Tap dialog on its own (the window test drives only its happy path): the default name and the
// name rule, problems inline and in the line above the buttons naming the tab they are on, the options
// tabs' counts, Edit Tap, and the endpoints an accepted dialog remembers. The frame of it is FormDialog,
// shared with the New Socket dialog (tst_newsocketdialog).

#include <algorithm>

#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTest>

#include <zmqscope/engine/socketspec.h>
#include <zmqscope/engine/tap.h>

#include "../uitestsupport.h"
#include "compose/newsocketdialog.h"
#include "compose/newtapdialog.h"

using namespace Qt::StringLiterals;
using zmqscope::TapPattern;
using zmqscope::TapSpec;

namespace {

QPushButton *okButton(const NewTapDialog &dialog)
{
    return dialog.findChild<QPushButton *>(u"okButton"_s);
}

QLabel *label(const QObject &parent, const QString &name)
{
    return parent.findChild<QLabel *>(name);
}

bool shownWithText(const QLabel *label, const QString &part)
{
    return label && !label->isHidden() && label->text().contains(part);
}

/// The error label of the first endpoint row of one side ("listenEndpoints", "forwardEndpoints"); rows
/// that were replaced lose their name while they wait for deleteLater.
QLabel *endpointError(const NewTapDialog &dialog, const QString &side)
{
    const auto *group = dialog.findChild<QGroupBox *>(side);
    const QList<QWidget *> rows
        = group ? group->findChildren<QWidget *>(u"endpointRow"_s) : QList<QWidget *>();
    return rows.isEmpty() ? nullptr : label(*rows.constFirst(), u"endpointError"_s);
}

/// The line above the buttons: shown, naming the tab first.
bool summaryNames(const QLabel *summary, const QString &tab, const QString &part)
{
    return summary && !summary->isHidden() && summary->text().startsWith(tab + u" tab: "_s)
        && summary->text().contains(part);
}

bool startsWithAny(const QStringList &lines, const QString &start)
{
    return std::any_of(
        lines.cbegin(), lines.cend(), [&start](const QString &line) { return line.startsWith(start); });
}

/// A tap the dialog accepts as it is.
TapSpec validSpec()
{
    TapSpec spec;
    spec.pattern = TapPattern::DealerRouter;
    spec.name = u"orders tap"_s;
    spec.listen = { u"tcp://127.0.0.1:*"_s };
    spec.forward = { u"tcp://127.0.0.1:5556"_s };
    return spec;
}

} // namespace

class TestNewTapDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void nameRules();
    void problemOnAnotherTab();
    void optionCounts();
    void editTap();
    void acceptRemembersEndpoints();
};

void TestNewTapDialog::init()
{
    // Each case starts with empty settings of its own, never the user's.
    uitest::useTestSettings(u"tst_newtapdialog"_s);
}

void TestNewTapDialog::nameRules()
{
    NewTapDialog dialog;
    auto *name = dialog.findChild<QLineEdit *>(u"nameEdit"_s);
    QVERIFY(name);
    // The engine's name for an unnamed tap of the pattern shown.
    const TapPattern pattern = dialog.spec().pattern;
    const QString first = zmqscope::uniqueSocketName(u"tap "_s + zmqscope::tapPatternName(pattern),
        zmqscope::tapSockets(pattern).listen, [](const QString &) { return false; });
    QCOMPARE(name->text(), first);
    QVERIFY(!startsWithAny(dialog.problems(), u"The name"_s));

    // The default avoids the names in use.
    dialog.setExistingNames({ first });
    const QString second = name->text();
    QVERIFY(second != first);
    QVERIFY(!startsWithAny(dialog.problems(), u"The name"_s));

    // A name in use, and no name, are problems shown next to the field.
    name->setText(first);
    const QString taken = u"The name \"%1\" is already used by another socket or tap"_s.arg(first);
    QVERIFY2(dialog.problems().contains(taken), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(shownWithText(label(dialog, u"nameError"_s), taken));
    QVERIFY(!okButton(dialog)->isEnabled());
    name->clear();
    const QString empty = u"The name is empty: give the tap a name such as \"%1\""_s.arg(second);
    QVERIFY2(dialog.problems().contains(empty), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(shownWithText(label(dialog, u"nameError"_s), empty));

    name->setText(u"mine"_s);
    QVERIFY(label(dialog, u"nameError"_s)->isHidden());
}

void TestNewTapDialog::problemOnAnotherTab()
{
    NewTapDialog dialog;
    TapSpec spec = validSpec();
    dialog.setSpec(spec);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(okButton(dialog)->isEnabled());
    auto *summary = label(dialog, u"summaryError"_s);
    QVERIFY(summary && summary->isHidden());

    // A bad forward endpoint: next to its field on the Tap tab, and above the buttons once another tab is
    // shown, naming the Tap tab.
    spec.forward = { u"orders:5556"_s };
    dialog.setSpec(spec);
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(shownWithText(endpointError(dialog, u"forwardEndpoints"_s), u"\"orders:5556\""_s));
    QVERIFY(summary->isHidden());
    auto *tabs = dialog.findChild<QTabWidget *>(u"tabs"_s);
    tabs->setCurrentIndex(1);
    QVERIFY2(summaryNames(summary, u"Tap"_s, u"Forward endpoint 1: \"orders:5556\""_s),
        qPrintable(summary->text()));

    // A bad option of the clients' side, seen from the Tap tab.
    dialog.setSpec(validSpec());
    tabs->setCurrentIndex(0);
    QVERIFY(summary->isHidden());
    auto *listenOptions = dialog.findChild<QWidget *>(u"listenOptions"_s);
    QVERIFY(listenOptions);
    listenOptions->findChild<QPlainTextEdit *>(u"advancedEdit"_s)->setPlainText(u"linger=soon"_s);
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY2(
        summaryNames(summary, u"Clients' Side"_s, u"Advanced line 1: option linger expects an integer"_s),
        qPrintable(summary->text()));
    listenOptions->findChild<QPlainTextEdit *>(u"advancedEdit"_s)->clear();
    QVERIFY(summary->isHidden());
    QVERIFY(okButton(dialog)->isEnabled());
}

void TestNewTapDialog::optionCounts()
{
    NewTapDialog dialog;
    auto *tabs = dialog.findChild<QTabWidget *>(u"tabs"_s);
    QVERIFY(tabs);
    QCOMPARE(tabs->tabText(1), u"&Clients' Side"_s);
    QCOMPARE(tabs->tabText(2), u"&Server's Side"_s);
    TapSpec spec = validSpec();
    spec.forwardOptions = { { "reconnect_ivl", 250 }, { "linger", 0 } };
    dialog.setSpec(spec);
    QCOMPARE(tabs->tabText(1), u"&Clients' Side"_s);
    QCOMPARE(tabs->tabText(2), u"&Server's Side (2)"_s);
    QCOMPARE(dialog.spec().forwardOptions.size(), 2U);
}

void TestNewTapDialog::editTap()
{
    NewTapDialog dialog;
    dialog.setEditedTap(validSpec(), { u"other"_s });
    QCOMPARE(dialog.windowTitle(), u"Edit Tap"_s);
    QCOMPARE(dialog.objectName(), u"EditTapDialog"_s);
    QCOMPARE(okButton(dialog)->text(), u"&Apply and Reopen"_s);
    QVERIFY(label(dialog, u"editNote"_s));
    QVERIFY(label(dialog, u"editNote"_s)->text().contains(u"orders tap"_s));
    // Its own name is not taken; another's is.
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    QCOMPARE(dialog.spec().name, u"orders tap"_s);
    dialog.findChild<QLineEdit *>(u"nameEdit"_s)->setText(u"other"_s);
    QVERIFY(dialog.problems().contains(u"The name \"other\" is already used by another socket or tap"_s));
}

void TestNewTapDialog::acceptRemembersEndpoints()
{
    // With a problem, OK does nothing.
    NewTapDialog refused;
    TapSpec bad = validSpec();
    bad.forward.clear();
    refused.setSpec(bad);
    QVERIFY(!refused.problems().isEmpty());
    refused.accept();
    QCOMPARE(refused.result(), int(QDialog::Rejected));
    QVERIFY(NewSocketDialog::recentEndpoints().isEmpty());

    NewTapDialog dialog;
    dialog.setSpec(validSpec());
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    // One list for both dialogs: the socket dialog offers them too.
    QCOMPARE(NewSocketDialog::recentEndpoints(),
        (QStringList { u"tcp://127.0.0.1:*"_s, u"tcp://127.0.0.1:5556"_s }));
}

QTEST_MAIN(TestNewTapDialog)
#include "tst_newtapdialog.moc"
