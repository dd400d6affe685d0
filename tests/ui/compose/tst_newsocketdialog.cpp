#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QLabel>
#include <QLayout>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

#include "compose/inlinemessage.h"
#include "compose/newsocketdialog.h"

using namespace Qt::StringLiterals;
using zmqscope::Options;
using zmqscope::SocketSpec;
using zmqscope::SocketType;

namespace {

QComboBox *typeCombo(const NewSocketDialog &dialog)
{
    return dialog.findChild<QComboBox *>(u"typeCombo"_s);
}

QPushButton *okButton(const NewSocketDialog &dialog)
{
    return dialog.findChild<QPushButton *>(u"okButton"_s);
}

/// Children of the endpoint rows still in the dialog (removed rows lose their name while they wait for
/// deleteLater).
template<typename T> QList<T *> rowChildren(const NewSocketDialog &dialog, const QString &name)
{
    QList<T *> result;
    const QList<T *> all = dialog.findChildren<T *>(name);
    for (T *child : all) {
        if (child->parentWidget() && child->parentWidget()->objectName() == u"endpointRow"_s)
            result.append(child);
    }
    return result;
}

/// Shown for the current type (the Options tab may be hidden behind the Socket tab).
bool offered(const QWidget *widget)
{
    return widget && !widget->isHidden();
}

QList<QComboBox *> endpointEdits(const NewSocketDialog &dialog)
{
    return rowChildren<QComboBox>(dialog, u"endpointEdit"_s);
}

QList<QComboBox *> endpointModes(const NewSocketDialog &dialog)
{
    return rowChildren<QComboBox>(dialog, u"endpointMode"_s);
}

QList<QLabel *> endpointErrors(const NewSocketDialog &dialog)
{
    return rowChildren<QLabel>(dialog, u"endpointError"_s);
}

void selectType(const NewSocketDialog &dialog, SocketType type)
{
    QComboBox *combo = typeCombo(dialog);
    combo->setCurrentIndex(combo->findData(int(type)));
}

void typeInto(QComboBox *combo, const QString &text)
{
    combo->lineEdit()->clear();
    QTest::keyClicks(combo->lineEdit(), text);
}

bool shownWithText(const QLabel *label, const QString &part)
{
    return label && !label->isHidden() && label->text().contains(part);
}

QString describe(const Options &options)
{
    QStringList parts;
    for (const auto &[name, value] : options)
        parts.append(QString::fromStdString(name) + u'=' + value.toDisplayString());
    return parts.join(u", "_s);
}

} // namespace

class TestNewSocketDialog : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void defaults();
    void buildRequestSocket();
    void badEndpoint_data();
    void badEndpoint();
    void duplicateEndpoint();
    void removeEndpointKeepsOrder();
    void subscriptionsEmptyMeansAll();
    void optionsFollowType();
    void advancedOptions_data();
    void advancedOptions();
    void names();
    void setSpecRoundTrip();
    void recentEndpointsPersist();
    void returnAccepts();
    void longErrorWrapsInsteadOfWidening();
    void breakableKeepsTheText();
    void badInputNeverCrashes_data();
    void badInputNeverCrashes();
};

void TestNewSocketDialog::initTestCase()
{
    // Real settings of the user stay untouched: test-mode paths and our own organization.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"ZmqScopeTests"_s);
    QCoreApplication::setApplicationName(u"tst_newsocketdialog"_s);
    QVERIFY2(QSettings().fileName().contains(u".qttest"_s), qPrintable(QSettings().fileName()));
}

void TestNewSocketDialog::init()
{
    QSettings().clear();
}

void TestNewSocketDialog::defaults()
{
    NewSocketDialog dialog;
    QCOMPARE(typeCombo(dialog)->currentData().toInt(), int(SocketType::Sub));
    QVERIFY(typeCombo(dialog)->currentText().startsWith(u"SUB — "_s));
    QCOMPARE(typeCombo(dialog)->count(), 12);
    QCOMPARE(dialog.findChild<QLineEdit *>(u"nameEdit"_s)->text(), u"SUB 1"_s);
    QCOMPARE(endpointEdits(dialog).size(), 1);
    QCOMPARE(endpointModes(dialog).constFirst()->currentText(), u"Connect"_s);
    // Nothing to bind or connect yet: OK is disabled and the dialog says why.
    QVERIFY(!okButton(dialog)->isEnabled());
    QVERIFY(shownWithText(dialog.findChild<QLabel *>(u"endpointsError"_s), u"Add an endpoint"_s));
    QVERIFY(offered(dialog.findChild<QListWidget *>(u"subscriptionList"_s)));
    QVERIFY(!offered(dialog.findChild<QCheckBox *>(u"routing_idCheck"_s)));
    QVERIFY(!offered(dialog.findChild<QCheckBox *>(u"sndhwmCheck"_s))); // SUB cannot send
    const SocketSpec spec = dialog.spec();
    QVERIFY(spec.binds.isEmpty() && spec.connects.isEmpty() && spec.options.empty());

    // Binding types default to bind.
    selectType(dialog, SocketType::Pub);
    QCOMPARE(dialog.findChild<QLineEdit *>(u"nameEdit"_s)->text(), u"PUB 1"_s);
    QCOMPARE(endpointModes(dialog).constFirst()->currentText(), u"Bind"_s);
}

void TestNewSocketDialog::buildRequestSocket()
{
    NewSocketDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));

    // Pick the type with the keyboard: the combo has focus and matches typed text.
    QCOMPARE(QApplication::focusWidget(), typeCombo(dialog));
    QTest::keyClicks(typeCombo(dialog), u"REQ"_s);
    QCOMPARE(typeCombo(dialog)->currentData().toInt(), int(SocketType::Req));
    QCOMPARE(dialog.findChild<QLineEdit *>(u"nameEdit"_s)->text(), u"REQ 1"_s);

    typeInto(endpointEdits(dialog).constFirst(), u"tcp://broker.example:5555"_s);
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"randomPortButton"_s), Qt::LeftButton);
    QCOMPARE(endpointEdits(dialog).size(), 2);
    QCOMPARE(endpointEdits(dialog).at(1)->currentText(), u"tcp://127.0.0.1:*"_s);
    QCOMPARE(endpointModes(dialog).at(1)->currentText(), u"Bind"_s);

    QTest::mouseClick(dialog.findChild<QCheckBox *>(u"routing_idCheck"_s), Qt::LeftButton);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"routing_idEdit"_s), u"client-1"_s);
    dialog.findChild<QCheckBox *>(u"sndhwmCheck"_s)->setChecked(true);
    auto *sndhwm = dialog.findChild<QSpinBox *>(u"sndhwmSpin"_s);
    QVERIFY(sndhwm->isEnabled());
    sndhwm->setValue(50);
    dialog.findChild<QCheckBox *>(u"req_relaxedCheck"_s)->setChecked(true);
    QVERIFY(offered(dialog.findChild<QCheckBox *>(u"req_relaxedCheck"_s)));
    QVERIFY(!offered(dialog.findChild<QCheckBox *>(u"router_mandatoryCheck"_s)));
    dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)
        ->setPlainText(u"immediate=1\n# keepalive for NAT\n\n  TCP_KEEPALIVE = 1 "_s);

    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    QVERIFY(okButton(dialog)->isEnabled());
    const SocketSpec spec = dialog.spec();
    QCOMPARE(spec.name, u"REQ 1"_s);
    QCOMPARE(spec.type, SocketType::Req);
    QCOMPARE(spec.connects, QStringList { u"tcp://broker.example:5555"_s });
    QCOMPARE(spec.binds, QStringList { u"tcp://127.0.0.1:*"_s });
    QVERIFY(spec.subscriptions.isEmpty());
    const Options expected { { "routing_id", QByteArray("client-1") }, { "sndhwm", 50 },
        { "req_relaxed", true }, { "immediate", true }, { "tcp_keepalive", 1 } };
    QVERIFY2(spec.options == expected, qPrintable(describe(spec.options)));
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->tabText(1), u"O&ptions (5)"_s);
    try {
        spec.validate();
    } catch (const zmqscope::Error &error) {
        QFAIL(qPrintable(error.message()));
    }

    QTest::mouseClick(okButton(dialog), Qt::LeftButton);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
}

void TestNewSocketDialog::badEndpoint_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("fixed");

    QTest::newRow("no port") << u"Connect"_s << u"tcp://127.0.0.1"_s << u"no port"_s
                             << u"tcp://broker.example:5555"_s;
    QTest::newRow("unknown transport")
        << u"Connect"_s << u"tpc://127.0.0.1:1"_s << u"unknown transport \"tpc\""_s << u"tcp://127.0.0.1:1"_s;
    QTest::newRow("wildcard on connect") << u"Connect"_s << u"tcp://127.0.0.1:*"_s
                                         << u"only works when binding"_s << u"tcp://127.0.0.1:4000"_s;
    QTest::newRow("port out of range")
        << u"Bind"_s << u"tcp://*:99999"_s << u"port \"99999\""_s << u"tcp://*:*"_s;
    QTest::newRow("no transport") << u"Bind"_s << u"localhost:5555"_s << u"no transport"_s
                                  << u"inproc://localhost"_s;
}

void TestNewSocketDialog::badEndpoint()
{
    QFETCH(QString, mode);
    QFETCH(QString, endpoint);
    QFETCH(QString, expected);
    QFETCH(QString, fixed);

    NewSocketDialog dialog;
    endpointModes(dialog).constFirst()->setCurrentText(mode);
    typeInto(endpointEdits(dialog).constFirst(), endpoint);

    QLabel *error = endpointErrors(dialog).constFirst();
    QVERIFY2(shownWithText(error, expected), qPrintable(error->text()));
    QVERIFY2(error->text().contains(endpoint), "the message names the bad value");
    QCOMPARE(error->textFormat(), Qt::PlainText);
    QVERIFY(!okButton(dialog)->isEnabled());
    QCOMPARE(dialog.problems().size(), 1);
    QVERIFY(dialog.problems().constFirst().startsWith(u"Endpoint 1: "_s));

    // accept() refuses too, whoever calls it.
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Rejected));

    typeInto(endpointEdits(dialog).constFirst(), fixed);
    QVERIFY(error->isHidden());
    QVERIFY(okButton(dialog)->isEnabled());
}

void TestNewSocketDialog::duplicateEndpoint()
{
    NewSocketDialog dialog;
    typeInto(endpointEdits(dialog).constFirst(), u"tcp://broker.example:5555"_s);
    QTest::mouseClick(dialog.findChild<QPushButton *>(u"addEndpointButton"_s), Qt::LeftButton);
    typeInto(endpointEdits(dialog).at(1), u"tcp://broker.example:5555"_s);
    QVERIFY(shownWithText(endpointErrors(dialog).at(1), u"already listed as endpoint 1"_s));
    QVERIFY(!okButton(dialog)->isEnabled());
    // Binding and connecting the same address are different things.
    endpointModes(dialog).at(1)->setCurrentText(u"Bind"_s);
    QVERIFY(okButton(dialog)->isEnabled());
}

void TestNewSocketDialog::removeEndpointKeepsOrder()
{
    NewSocketDialog dialog;
    const QStringList endpoints { u"inproc://a"_s, u"inproc://b"_s, u"inproc://c"_s };
    typeInto(endpointEdits(dialog).constFirst(), endpoints.at(0));
    for (int i = 1; i < endpoints.size(); ++i) {
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"addEndpointButton"_s), Qt::LeftButton);
        typeInto(endpointEdits(dialog).at(i), endpoints.at(i));
    }
    QCOMPARE(dialog.spec().connects, endpoints);
    QTest::mouseClick(rowChildren<QToolButton>(dialog, u"removeEndpointButton"_s).at(1), Qt::LeftButton);
    QCOMPARE(dialog.spec().connects, (QStringList { u"inproc://a"_s, u"inproc://c"_s }));
    // Errors follow their rows after a removal.
    typeInto(endpointEdits(dialog).at(1), u"inproc://"_s);
    QVERIFY(endpointErrors(dialog).at(0)->isHidden());
    QVERIFY(shownWithText(endpointErrors(dialog).at(1), u"no name"_s));
    QVERIFY(dialog.problems().constFirst().startsWith(u"Endpoint 2: "_s));
}

void TestNewSocketDialog::subscriptionsEmptyMeansAll()
{
    NewSocketDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    selectType(dialog, SocketType::Sub);
    typeInto(endpointEdits(dialog).constFirst(), u"tcp://127.0.0.1:5556"_s);

    // No subscription: the spec says "everything" by an empty list, and the dialog says so.
    QVERIFY(dialog.spec().subscriptions.isEmpty());
    bool explained = false;
    const QList<QLabel *> labels = dialog.findChildren<QLabel *>();
    for (const QLabel *label : labels)
        explained = explained
            || (label->isVisible() && label->text().contains(u"An empty list receives everything"_s));
    QVERIFY(explained);

    auto *list = dialog.findChild<QListWidget *>(u"subscriptionList"_s);
    QTest::mouseClick(dialog.findChild<QToolButton *>(u"addSubscriptionButton"_s), Qt::LeftButton);
    QTRY_VERIFY(
        QApplication::focusWidget() && QApplication::focusWidget()->parentWidget() == list->viewport());
    QTest::keyClicks(QApplication::focusWidget(), u"temp."_s);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QCOMPARE(list->count(), 1);
    // The item delegate commits the edit from a queued call.
    QTRY_COMPARE(dialog.spec().subscriptions, QList<QByteArray> { QByteArray("temp.") });
    QVERIFY(dialog.spec().options.empty());

    // A prefix still in its editor counts when the dialog is accepted without the focus leaving it.
    QTest::mouseClick(dialog.findChild<QToolButton *>(u"addSubscriptionButton"_s), Qt::LeftButton);
    QTRY_VERIFY(
        QApplication::focusWidget() && QApplication::focusWidget()->parentWidget() == list->viewport());
    QTest::keyClicks(QApplication::focusWidget(), u"hum."_s);
    dialog.accept();
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.spec().subscriptions, (QList<QByteArray> { QByteArray("temp."), QByteArray("hum.") }));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));

    // A type without subscriptions drops them from the spec.
    selectType(dialog, SocketType::Pull);
    QVERIFY(!list->isVisible());
    QVERIFY(dialog.spec().subscriptions.isEmpty());
}

void TestNewSocketDialog::optionsFollowType()
{
    NewSocketDialog dialog;
    selectType(dialog, SocketType::Router);
    typeInto(endpointEdits(dialog).constFirst(), u"tcp://*:*"_s);

    // Unchecked options show ZmqScope's defaults, greyed out, and are not in the spec.
    auto *rcvhwm = dialog.findChild<QSpinBox *>(u"rcvhwmSpin"_s);
    QVERIFY(!rcvhwm->isEnabled());
    QCOMPARE(rcvhwm->value(), 100000);
    auto *mandatory = dialog.findChild<QCheckBox *>(u"router_mandatoryCheck"_s);
    QVERIFY(offered(mandatory));
    QVERIFY(mandatory->isChecked()); // the engine's default for ROUTER
    QVERIFY(dialog.spec().options.empty());

    mandatory->setChecked(false);
    QVERIFY2(dialog.spec().options == (Options { { "router_mandatory", false } }),
        qPrintable(describe(dialog.spec().options)));

    // Options that do not apply to the new type are hidden and left out.
    dialog.findChild<QCheckBox *>(u"lingerCheck"_s)->setChecked(true);
    dialog.findChild<QSpinBox *>(u"lingerSpin"_s)->setValue(0);
    selectType(dialog, SocketType::Dealer);
    QVERIFY(!offered(mandatory));
    QVERIFY2(
        dialog.spec().options == (Options { { "linger", 0 } }), qPrintable(describe(dialog.spec().options)));

    // Unchecking brings the default back into the spin box.
    dialog.findChild<QCheckBox *>(u"lingerCheck"_s)->setChecked(false);
    QCOMPARE(dialog.findChild<QSpinBox *>(u"lingerSpin"_s)->value(), 250);
    QVERIFY(dialog.spec().options.empty());
}

void TestNewSocketDialog::advancedOptions_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("misspelt") << u"immediate=1\nlingr=5"_s
                              << u"Advanced line 2: unknown option \"lingr\" (did you mean linger?)"_s;
    QTest::newRow("not a number") << u"linger=soon"_s
                                  << u"Advanced line 1: option linger expects an integer, got \"soon\""_s;
    QTest::newRow("not a boolean") << u"immediate=maybe"_s << u"got \"maybe\""_s;
    QTest::newRow("read-only") << u"type=1"_s << u"Advanced line 1: option type is read-only"_s;
    QTest::newRow("no equals sign") << u"immediate"_s << u"\"immediate\" is not NAME=VALUE"_s;
}

void TestNewSocketDialog::advancedOptions()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    NewSocketDialog dialog;
    typeInto(endpointEdits(dialog).constFirst(), u"inproc://x"_s);
    QVERIFY(okButton(dialog)->isEnabled());
    dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)->setPlainText(text);

    QVERIFY(!okButton(dialog)->isEnabled());
    auto *error = dialog.findChild<QLabel *>(u"advancedError"_s);
    QVERIFY2(shownWithText(error, expected), qPrintable(error->text()));
    // The Options tab is not shown: a line above the buttons points there.
    QCOMPARE(dialog.findChild<QTabWidget *>(u"tabs"_s)->currentIndex(), 0);
    QVERIFY(shownWithText(dialog.findChild<QLabel *>(u"summaryError"_s), u"Options tab: Advanced line "_s));
    QVERIFY(shownWithText(dialog.findChild<QLabel *>(u"summaryError"_s), expected));

    dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)->setPlainText(u"immediate=true"_s);
    QVERIFY(okButton(dialog)->isEnabled());
    QVERIFY(error->isHidden());
    QVERIFY(dialog.findChild<QLabel *>(u"summaryError"_s)->isHidden());
    QVERIFY(dialog.spec().options == (Options { { "immediate", true } }));
}

void TestNewSocketDialog::names()
{
    NewSocketDialog dialog;
    typeInto(endpointEdits(dialog).constFirst(), u"inproc://x"_s);
    dialog.setExistingNames({ u"SUB 1"_s, u"SUB 2"_s });
    auto *name = dialog.findChild<QLineEdit *>(u"nameEdit"_s);
    QCOMPARE(name->text(), u"SUB 3"_s);
    QVERIFY(okButton(dialog)->isEnabled());

    name->clear();
    QTest::keyClicks(name, u"SUB 1"_s);
    QVERIFY(shownWithText(dialog.findChild<QLabel *>(u"nameError"_s), u"\"SUB 1\" is already used"_s));
    QVERIFY(!okButton(dialog)->isEnabled());

    // A name the user typed survives a type change.
    QTest::keyClicks(name, u"b"_s);
    selectType(dialog, SocketType::Pull);
    QCOMPARE(name->text(), u"SUB 1b"_s);

    name->selectAll();
    QTest::keyClick(name, Qt::Key_Delete);
    QVERIFY(shownWithText(dialog.findChild<QLabel *>(u"nameError"_s), u"The name is empty"_s));
    QVERIFY(!okButton(dialog)->isEnabled());
    selectType(dialog, SocketType::Push);
    QCOMPARE(name->text(), u"PUSH 1"_s);
}

void TestNewSocketDialog::setSpecRoundTrip()
{
    SocketSpec spec;
    spec.name = u"Orders"_s;
    spec.type = SocketType::Req;
    spec.binds = { u"tcp://127.0.0.1:*"_s };
    spec.connects = { u"tcp://127.0.0.1:7001"_s, u"ipc:///tmp/orders"_s };
    spec.options = { { "routing_id", QByteArray("me") }, { "sndhwm", 10 }, { "linger", 0 },
        { "maxmsgsize", std::int64_t { 4096 } }, { "req_correlate", true }, { "immediate", true },
        { "linger", 5 } };

    NewSocketDialog dialog;
    dialog.setSpec(spec);
    QVERIFY2(dialog.problems().isEmpty(), qPrintable(dialog.problems().join(u'\n')));
    const SocketSpec back = dialog.spec();
    QCOMPARE(back.name, spec.name);
    QCOMPARE(back.type, spec.type);
    QCOMPARE(back.binds, spec.binds);
    QCOMPARE(back.connects, spec.connects);
    QVERIFY2(back.options == spec.options, qPrintable(describe(back.options)));
    // The second linger has no field of its own left, so it is kept as an advanced line.
    QVERIFY(dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)->toPlainText().contains(u"linger=5"_s));

    // Options without a field for this type are kept as advanced lines, not dropped.
    SocketSpec dealer;
    dealer.name = u"D"_s;
    dealer.type = SocketType::Dealer;
    dealer.connects = { u"inproc://d"_s };
    dealer.options = { { "req_relaxed", true }, { "subscribe", QByteArray("x") } };
    dialog.setSpec(dealer);
    QCOMPARE(dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)->toPlainText(),
        u"req_relaxed=true\nsubscribe=x"_s);
    QVERIFY(dialog.spec().options == dealer.options);

    SocketSpec sub;
    sub.name = u"S"_s;
    sub.type = SocketType::Sub;
    sub.connects = { u"inproc://s"_s };
    sub.subscriptions = { QByteArray("a."), QByteArray("b.") };
    dialog.setSpec(sub);
    QCOMPARE(dialog.spec().subscriptions, sub.subscriptions);
    QVERIFY(dialog.spec().options.empty());
}

void TestNewSocketDialog::recentEndpointsPersist()
{
    {
        NewSocketDialog dialog;
        typeInto(endpointEdits(dialog).constFirst(), u"tcp://127.0.0.1:6001"_s);
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"randomPortButton"_s), Qt::LeftButton);
        QTest::mouseClick(okButton(dialog), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    QCOMPARE(NewSocketDialog::recentEndpoints(),
        (QStringList { u"tcp://127.0.0.1:*"_s, u"tcp://127.0.0.1:6001"_s }));
    QCOMPARE(QSettings().value(u"NewSocketDialog/recentEndpoints"_s).toStringList().size(), 2);

    // A cancelled dialog remembers nothing.
    {
        NewSocketDialog dialog;
        typeInto(endpointEdits(dialog).constFirst(), u"inproc://cancelled"_s);
        dialog.reject();
    }
    QCOMPARE(NewSocketDialog::recentEndpoints().size(), 2);

    // The next dialog offers them, and completes a partial entry.
    NewSocketDialog dialog;
    QComboBox *edit = endpointEdits(dialog).constFirst();
    QVERIFY(edit->findText(u"tcp://127.0.0.1:6001"_s) >= 0);
    QVERIFY(edit->currentText().isEmpty());
    QVERIFY(edit->completer());
    edit->completer()->setCompletionPrefix(u"6001"_s);
    QCOMPARE(edit->completer()->currentCompletion(), u"tcp://127.0.0.1:6001"_s);

    // Most recent first, bounded.
    QStringList many;
    for (int i = 0; i < NewSocketDialog::MaxRecentEndpoints + 5; ++i)
        many.append(u"inproc://n%1"_s.arg(i));
    NewSocketDialog::rememberEndpoints(many);
    NewSocketDialog::rememberEndpoints({ u"tcp://127.0.0.1:6001"_s });
    const QStringList recent = NewSocketDialog::recentEndpoints();
    QCOMPARE(recent.size(), NewSocketDialog::MaxRecentEndpoints);
    QCOMPARE(recent.first(), u"tcp://127.0.0.1:6001"_s);
    QCOMPARE(recent.at(1), u"inproc://n0"_s);
    QCOMPARE(recent.count(u"tcp://127.0.0.1:6001"_s), 1);
}

void TestNewSocketDialog::returnAccepts()
{
    NewSocketDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QComboBox *edit = endpointEdits(dialog).constFirst();
    edit->setFocus();
    QTest::keyClicks(edit->lineEdit(), u"tcp://broker.example"_s);
    QTest::keyClick(edit->lineEdit(), Qt::Key_Return);
    QVERIFY(dialog.isVisible()); // invalid: Return does nothing
    QTest::keyClicks(edit->lineEdit(), u":5555"_s);
    QTest::keyClick(edit->lineEdit(), Qt::Key_Return);
    QTRY_VERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.spec().connects, QStringList { u"tcp://broker.example:5555"_s });
}

void TestNewSocketDialog::longErrorWrapsInsteadOfWidening()
{
    NewSocketDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.layout()->activate();
    const int width = dialog.width();

    // A 205-byte ipc path is one "word" of the error line: it must wrap, not set the dialog's width.
    const QString endpoint = u"ipc:///tmp/"_s + QString(194, u'p');
    QCOMPARE(endpoint.toUtf8().size(), 205);
    QComboBox *edit = endpointEdits(dialog).constFirst();
    edit->lineEdit()->setText(endpoint);
    QLabel *error = endpointErrors(dialog).constFirst();
    QTRY_VERIFY(!error->isHidden());
    QVERIFY2(InlineMessage::text(error).contains(endpoint), qPrintable(InlineMessage::text(error)));
    QVERIFY2(InlineMessage::text(error).contains(u"at most 107"_s), qPrintable(InlineMessage::text(error)));
    dialog.layout()->activate();
    QVERIFY2(dialog.minimumSizeHint().width() <= width,
        qPrintable(u"minimum width %1, shown at %2"_s.arg(dialog.minimumSizeHint().width()).arg(width)));
    QCOMPARE(dialog.width(), width);
    QVERIFY(error->width() <= dialog.width());
    // Wrapped over several lines, all of it inside the label.
    QVERIFY(error->heightForWidth(error->width()) >= 2 * error->fontMetrics().lineSpacing());

    // Corrected: the error goes and the dialog is as it was.
    edit->lineEdit()->setText(u"ipc:///tmp/short"_s);
    QTRY_VERIFY(error->isHidden());
    dialog.layout()->activate();
    QCOMPARE(dialog.width(), width);
    QVERIFY(dialog.minimumSizeHint().width() <= width);
}

void TestNewSocketDialog::breakableKeepsTheText()
{
    // Short words stay as they are; long runs get zero-width spaces that text() takes out again.
    QCOMPARE(InlineMessage::breakable(u"port in use"_s), u"port in use"_s);
    const QString path = u"\"ipc:///tmp/"_s + QString(100, u'x') + u"\": too long"_s;
    const QString broken = InlineMessage::breakable(path);
    QVERIFY(broken.contains(QChar(0x200b)));
    QCOMPARE(QString(broken).remove(QChar(0x200b)), path);
    qsizetype run = 0;
    for (const QChar c : broken) {
        run = c == QChar(0x200b) || c.isSpace() ? 0 : run + 1;
        QVERIFY(run <= 32);
    }
    // Never inside a surrogate pair.
    const QString emoji = QString(40, u'a') + QString::fromUcs4(U"\U0001F600\U0001F600") + QString(40, u'b');
    const QString brokenEmoji = InlineMessage::breakable(emoji);
    for (qsizetype i = 0; i + 1 < brokenEmoji.size(); ++i)
        QVERIFY(!(brokenEmoji.at(i).isHighSurrogate() && brokenEmoji.at(i + 1) == QChar(0x200b)));
    QWidget form;
    QLabel *label = InlineMessage::createErrorLabel(&form);
    InlineMessage::show(label, path);
    QCOMPARE(InlineMessage::text(label), path);
    InlineMessage::show(label, QString());
    QVERIFY(InlineMessage::text(label).isEmpty());
}

void TestNewSocketDialog::badInputNeverCrashes_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("huge") << QString(200000, u'9');
    QTest::newRow("nul and controls") << QString::fromUtf16(u"tcp://\u0000\u0001\u001b[31m:1");
    QTest::newRow("html") << u"<b>x</b><img src=file:///etc/passwd>"_s;
    QTest::newRow("only separators") << u"://:;:[]=="_s;
    QTest::newRow("lone surrogate") << QString(QChar(0xd800));
    QTest::newRow("many lines") << u"a=1\n"_s.repeated(2000);
}

void TestNewSocketDialog::badInputNeverCrashes()
{
    QFETCH(QString, text);
    NewSocketDialog dialog;
    dialog.findChild<QLineEdit *>(u"nameEdit"_s)->setText(text);
    endpointEdits(dialog).constFirst()->setEditText(text);
    dialog.findChild<QPlainTextEdit *>(u"advancedEdit"_s)->setPlainText(text);
    dialog.findChild<QCheckBox *>(u"rcvhwmCheck"_s)->setChecked(true);
    QVERIFY(!dialog.problems().isEmpty());
    QVERIFY(!okButton(dialog)->isEnabled());
    (void)dialog.spec();
    // The error lines quote what was typed: plain text, never rich text.
    const QList<QLabel *> labels = dialog.findChildren<QLabel *>();
    for (const QLabel *label : labels) {
        if (label->objectName().endsWith(u"Error"_s))
            QCOMPARE(label->textFormat(), Qt::PlainText);
    }
}

QTEST_MAIN(TestNewSocketDialog)
#include "tst_newsocketdialog.moc"
