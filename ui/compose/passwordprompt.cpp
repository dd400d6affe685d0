#include "passwordprompt.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "inlinemessage.h"
#include "secretedit.h"

using namespace Qt::StringLiterals;

namespace PasswordPrompt {

namespace {

// Names from a workspace file are untrusted: quoted, cut, and shown as plain text only.
QString quoted(const QString &name)
{
    return u"\u201c%1\u201d"_s.arg(name.size() > 80 ? name.left(80) + u'…' : name);
}

} // namespace

bool askForPasswords(QWidget *parent, const QString &what, zmqscope::SocketSecurity &security)
{
    const zmqscope::MissingSecrets missing = security.missingSecrets();
    if (!missing.plainPassword && missing.acceptUserPasswords.isEmpty())
        return true;

    QDialog dialog(parent);
    dialog.setObjectName(u"PasswordDialog"_s);
    dialog.setWindowTitle(u"Password Needed"_s);
    auto *intro = new QLabel(&dialog);
    intro->setObjectName(u"passwordIntro"_s);
    intro->setTextFormat(Qt::PlainText);
    intro->setWordWrap(true);
    intro->setText(missing.plainPassword
            ? u"The workspace opens %1 as the PLAIN user %2. Passwords are never saved: enter its password "
              u"to "
              u"open it."_s.arg(what, quoted(security.plainUser))
            : u"The workspace opens %1, a PLAIN server. Passwords are never saved: enter the password of "
              u"each user it accepts."_s.arg(what));

    auto *form = new QFormLayout;
    QList<SecretEdit *> edits;
    const QStringList users
        = missing.plainPassword ? QStringList { security.plainUser } : missing.acceptUserPasswords;
    for (const QString &user : users) {
        auto *edit = new SecretEdit(u"passwordEdit"_s, &dialog);
        edit->setProperty("user", user);
        auto *label = new QLabel(u"Password of %1:"_s.arg(quoted(user)), &dialog);
        label->setTextFormat(Qt::PlainText);
        label->setBuddy(edit->lineEdit());
        form->addRow(label, edit);
        edits.append(edit);
    }
    auto *buttons = new QDialogButtonBox(&dialog);
    QPushButton *open = buttons->addButton(u"&Open"_s, QDialogButtonBox::AcceptRole);
    open->setObjectName(u"okButton"_s);
    QPushButton *skip = buttons->addButton(u"&Don't Open"_s, QDialogButtonBox::RejectRole);
    skip->setObjectName(u"skipButton"_s);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons);
    edits.constFirst()->setFocus(Qt::OtherFocusReason);

    if (dialog.exec() != QDialog::Accepted)
        return false;
    if (missing.plainPassword) {
        security.plainPassword = edits.constFirst()->text();
        return true;
    }
    for (const SecretEdit *edit : std::as_const(edits)) {
        const QString user = edit->property("user").toString();
        for (zmqscope::PlainCredentials &accepted : security.acceptUsers) {
            if (accepted.user == user && accepted.password.isEmpty())
                accepted.password = edit->text();
        }
    }
    return true;
}

Workspace withPasswords(QWidget *parent, const Workspace &workspace, QStringList &skipped)
{
    QList<zmqscope::SocketSpec> sockets;
    for (zmqscope::SocketSpec spec : workspace.sockets()) {
        if (askForPasswords(parent, u"socket %1"_s.arg(quoted(spec.name)), spec.security))
            sockets.append(spec);
        else
            skipped.append(spec.name);
    }
    QList<zmqscope::TapSpec> taps;
    for (zmqscope::TapSpec tap : workspace.taps()) {
        if (askForPasswords(
                parent, u"the clients' side of tap %1"_s.arg(quoted(tap.name)), tap.listenSecurity)
            && askForPasswords(
                parent, u"the server's side of tap %1"_s.arg(quoted(tap.name)), tap.forwardSecurity))
            taps.append(tap);
        else
            skipped.append(tap.name);
    }
    Workspace withPasswords(sockets, taps, workspace.sniffers());
    withPasswords.setDecodeRules(workspace.decodeRules());
    withPasswords.setSavedFilters(workspace.savedFilters());
    return withPasswords;
}

} // namespace PasswordPrompt
