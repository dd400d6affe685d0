#include "viewhelpers.h"

#include <QAbstractItemView>
#include <QMetaObject>

namespace ViewHelpers {

void commitOpenEditor(QAbstractItemView *view)
{
    if (!view)
        return;
    // Editing happens on the current index; its index widget is the open editor, if any.
    QWidget *editor = view->indexWidget(view->currentIndex());
    if (!editor)
        return;
    // commitData() is a protected slot: reach it through the meta-object, as the delegate would.
    QMetaObject::invokeMethod(view, "commitData", Qt::DirectConnection, Q_ARG(QWidget *, editor));
}

} // namespace ViewHelpers
