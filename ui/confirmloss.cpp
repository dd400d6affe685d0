#include "confirmloss.h"

#include <QCheckBox>
#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace zmqscope {

bool confirmLoss(QWidget *parent, bool Preferences::*ask, const QString &title, const QString &text,
    const QString &acceptText)
{
    Preferences preferences = Preferences::load();
    if (!(preferences.*ask))
        return true;
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::NoButton, parent);
    box.setObjectName(u"confirmLossBox"_s);
    box.setTextFormat(Qt::PlainText); // the text can name a file
    box.setInformativeText(u"This cannot be undone."_s);
    QPushButton *accept = box.addButton(acceptText, QMessageBox::DestructiveRole);
    accept->setObjectName(u"acceptButton"_s);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(accept);
    auto *dontAsk = new QCheckBox(u"&Don't ask again"_s, &box);
    dontAsk->setObjectName(u"dontAskAgain"_s);
    box.setCheckBox(dontAsk);
    box.exec();
    if (box.clickedButton() != accept)
        return false;
    if (dontAsk->isChecked()) {
        // Edit > Preferences > Confirmations turns it back on.
        preferences.*ask = false;
        preferences.save();
    }
    return true;
}

} // namespace zmqscope
