"""Pages of standards (低保标准, minimum wage, benefit types: system admin), of re-evaluations
after a standard changed (staff confirm or dismiss each change), and the action that
determines an archive's category.

Views stay thin: the selectors fetch (NotFound is the 404 page, `core.errorviews`), the services
decide, and actions answer through `formkit.action_response`: a form with errors again (400),
the 403 page, or the page the button is on with the reason on top (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.accounts.requests import AuthenticatedHttpRequest
from bangfu.core.errors import DomainError, NotFound
from bangfu.core.formkit import ConfirmForm, action_response, refusal_of
from bangfu.core.masking import mask_id_number

from .. import rules
from ..forms.standards import AreaForm, BenefitTypeForm, FigureForm
from ..models import Area, ReevaluationItem
from ..permissions import ArchivesPermission
from ..selectors import access_household
from ..selectors import benefits as benefit_selectors
from ..selectors import standards as selectors
from ..services import benefits as benefit_services
from ..services import categories as category_services
from ..services import standards as services

PAGE_SIZE = 50


def household_url(pk: int) -> str:
    """Return the archive's detail page (owned by the browse area)."""
    try:
        return reverse("archives:household_detail", args=[pk])
    except NoReverseMatch:  # the browse pages are not installed
        return reverse("archives:household_determine", args=[pk])


def _area_url(pk: int) -> str:
    return reverse("archives:standard_area_detail", args=[pk])


# --- areas and their standards --------------------------------------------------------------


@require_GET
def standard_area_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every area with the 低保 standard and minimum wage in force today."""
    today = timezone.localdate()
    areas = list(selectors.area_list())
    standards = selectors.figures_in_force(areas, today)
    rows = [(area, *standards.get(area.pk, (None, None))) for area in areas]
    return render(
        request,
        "archives/standards/area_list.html",
        {"rows": rows, "today": today, "area_form": AreaForm(auto_id="id_area_%s")},
    )


@require_http_methods(["GET", "POST"])
def area_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AreaForm(request.POST or None)
    return action_response(
        request,
        form=form,
        run=lambda: services.area_create(actor=request.user, **form.cleaned_data),
        template="archives/standards/form.html",
        context={
            "title": _("新增地区"),
            "back_url": reverse("archives:standard_area_list"),
            "submit": _("保存"),
        },
        success_url=lambda area: _area_url(area.pk),
        done=lambda area: _("已新增地区“%(name)s”。") % {"name": area.name},
    )


def _area_page(
    request: AuthenticatedHttpRequest, area: Area, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "archives/standards/area_detail.html",
        {
            "area": area,
            "standards": selectors.standard_history(area),
            "wages": selectors.minimum_wage_history(area),
            "current_standard": selectors.standard_on(area, today),
            "current_wage": selectors.minimum_wage_on(area, today),
            "standard_form": FigureForm(
                auto_id="id_standard_%s", amount_label=_("低保标准(元/人·月)")
            ),
            "wage_form": FigureForm(auto_id="id_wage_%s", amount_label=_("最低工资标准(元/月)")),
            "refusal": refusal,
        },
        status=status,
    )


@require_GET
def standard_area_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An area's history of 低保 standards and minimum wages, with the forms to add one."""
    return _area_page(request, selectors.area_get(pk))


def _figure_form(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    title: str,
    amount_label: str,
    save: Callable[[Area, dict[str, Any]], Any],
    success_url: Callable[[Any], str],
    done: Callable[[Any], str],
) -> HttpResponse:
    area = selectors.area_get(pk)
    form = FigureForm(request.POST or None, amount_label=amount_label)
    return action_response(
        request,
        form=form,
        run=lambda: save(area, form.cleaned_data),
        template="archives/standards/form.html",
        context={
            "title": title,
            "area": area,
            "back_url": _area_url(area.pk),
            "submit": _("保存"),
            "note": _("标准录入后不能修改;标准调整时请录入新的标准和新的执行日期。"),
        },
        success_url=success_url,
        done=done,
    )


@require_http_methods(["GET", "POST"])
def dibao_standard_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def reevaluating(saved: Any) -> bool:
        return saved.reevaluation is not None and bool(saved.reevaluation.job_id)

    def done(saved: Any) -> str:
        if reevaluating(saved):
            return _(
                "已录入低保标准 %(amount)s 元。正在重新评估该地区的在档档案,类别不会自动变更。"
            ) % {"amount": saved.standard.amount}
        return _("已录入低保标准 %(amount)s 元(早于现行标准,作为历史记录,不重新评估)。") % {
            "amount": saved.standard.amount
        }

    return _figure_form(
        request,
        pk,
        title=_("录入低保标准"),
        amount_label=_("低保标准(元/人·月)"),
        save=lambda area, data: services.dibao_standard_create(
            actor=request.user, area=area, **data
        ),
        # A standard in force from now on: on to the re-evaluation's progress bar.
        success_url=lambda saved: (
            reverse("workbench:job_detail", kwargs={"job_id": saved.reevaluation.job_id})
            if reevaluating(saved)
            else _area_url(saved.standard.area_id)
        ),
        done=done,
    )


@require_http_methods(["GET", "POST"])
def minimum_wage_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _figure_form(
        request,
        pk,
        title=_("录入最低工资标准"),
        amount_label=_("最低工资标准(元/月)"),
        save=lambda area, data: services.minimum_wage_create(actor=request.user, area=area, **data),
        success_url=lambda wage: _area_url(wage.area_id),
        done=lambda wage: _("已录入最低工资标准 %(amount)s 元。") % {"amount": wage.amount},
    )


def _on_area(
    request: AuthenticatedHttpRequest, area: Area
) -> Callable[[forms.BaseForm, int], HttpResponse]:
    """Show a refused button's reason on top of the area's page."""
    return lambda form, status: _area_page(request, area, refusal=refusal_of(form), status=status)


def _delete_figure(
    request: AuthenticatedHttpRequest, figure: Any, delete: Callable[[], None], done: str
) -> HttpResponse:
    """Delete a mistaken 低保 standard or minimum wage; a refusal (already used) is shown on
    top of the area's page."""
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=delete,
        page=_on_area(request, figure.area),
        success_url=_area_url(figure.area_id),
        done=done,
    )


@require_POST
def dibao_standard_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    standard = selectors.dibao_standard_get(pk)
    return _delete_figure(
        request,
        standard,
        lambda: services.dibao_standard_delete(actor=request.user, standard=standard),
        _("已删除误录的低保标准。"),
    )


@require_POST
def minimum_wage_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    wage = selectors.minimum_wage_get(pk)
    return _delete_figure(
        request,
        wage,
        lambda: services.minimum_wage_delete(actor=request.user, wage=wage),
        _("已删除误录的最低工资标准。"),
    )


# --- benefit types --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def benefit_type_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The benefit types, with the form to add one."""
    form = BenefitTypeForm(request.POST or None, initial={"sort_order": 0})
    return action_response(
        request,
        form=form,
        run=lambda: benefit_services.benefit_type_create(actor=request.user, **form.cleaned_data),
        template="archives/standards/benefit_type_list.html",
        context={"types": benefit_selectors.benefit_types()},
        success_url=reverse("archives:benefit_type_list"),
        done=lambda benefit: _("已新增政策待遇“%(name)s”。") % {"name": benefit.name},
    )


@require_http_methods(["GET", "POST"])
def benefit_type_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    benefit = benefit_selectors.benefit_type_get(pk)
    initial = {
        "name": benefit.name,
        "is_dibao": benefit.is_dibao,
        "active": benefit.active,
        "sort_order": benefit.sort_order,
    }
    form = BenefitTypeForm(request.POST or None, initial=initial, editing=True)
    return action_response(
        request,
        form=form,
        run=lambda: benefit_services.benefit_type_update(
            actor=request.user, benefit_type_id=benefit.pk, **form.cleaned_data
        ),
        template="archives/standards/form.html",
        context={
            "title": _("修改政策待遇:%(name)s") % {"name": benefit.name},
            "back_url": reverse("archives:benefit_type_list"),
            "submit": _("保存"),
        },
        success_url=reverse("archives:benefit_type_list"),
        done=_("已保存政策待遇“%(name)s”。") % {"name": benefit.name},
    )


# --- re-evaluations ---------------------------------------------------------------------------


@require_GET
def reevaluation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.reevaluation_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "archives/standards/reevaluation_list.html", {"page": page})


STATUS_FILTERS = {
    "pending": ReevaluationItem.Status.PENDING,
    "confirmed": ReevaluationItem.Status.CONFIRMED,
    "dismissed": ReevaluationItem.Status.DISMISSED,
    "all": None,
}


def _reevaluation_page(
    request: AuthenticatedHttpRequest, reevaluation: Any, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    shown = request.GET.get("status", "pending")
    if shown not in STATUS_FILTERS:
        shown = "pending"
    items = selectors.reevaluation_items(
        user=request.user, reevaluation=reevaluation, status=STATUS_FILTERS[shown]
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    item: Any
    for item in page:
        item.masked_id = mask_id_number(item.household.id_number)
        item.detail_url = household_url(item.household_id)
        item.old_label = rules.CATEGORY_LABELS.get(item.old_category, "—")
        item.new_label = rules.CATEGORY_LABELS[item.new_category]
    pending = selectors.reevaluation_items(
        user=request.user, reevaluation=reevaluation, status=ReevaluationItem.Status.PENDING
    ).count()
    return render(
        request,
        "archives/standards/reevaluation_detail.html",
        {
            "reevaluation": reevaluation,
            "evaluated_on": selectors.reevaluation_date(reevaluation),
            "page": page,
            "shown": shown,
            "pending": pending,
            "filters": [
                ("pending", _("待确认")),
                ("confirmed", _("已确认变更")),
                ("dismissed", _("不变更")),
                ("all", _("全部")),
            ],
            "refusal": refusal,
        },
        status=status,
    )


@require_GET
def reevaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The archives (within the user's scope) whose category would change, to confirm or
    dismiss one by one or all at once."""
    return _reevaluation_page(request, selectors.access_reevaluation(reevaluation_id=pk))


def _reevaluation_url(pk: int) -> str:
    return reverse("archives:reevaluation_detail", args=[pk])


def _decide(
    request: AuthenticatedHttpRequest,
    reevaluation: Any,
    run: Callable[[], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """Carry out a decision on the re-evaluation; a refusal (already decided, the archive
    changed meanwhile) is shown on top of the re-evaluation's page."""
    return action_response(
        request,
        form=ConfirmForm.for_request(request),
        run=run,
        page=lambda form, status: _reevaluation_page(
            request, reevaluation, refusal=refusal_of(form), status=status
        ),
        success_url=_reevaluation_url(reevaluation.pk),
        done=done,
    )


@require_POST
def reevaluation_item_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_reevaluation_item(user=request.user, item_id=pk)
    return _decide(
        request,
        item.reevaluation,
        run=lambda: category_services.reevaluation_item_confirm(actor=request.user, item_id=pk),
        done=lambda determination: (
            _("已确认:%(name)s 的困难类别变更为“%(category)s”。")
            % {
                "name": item.household.name,
                "category": rules.CATEGORY_LABELS[determination.category],
            }
        ),
    )


@require_POST
def reevaluation_item_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_reevaluation_item(user=request.user, item_id=pk)
    return _decide(
        request,
        item.reevaluation,
        run=lambda: category_services.reevaluation_item_dismiss(actor=request.user, item_id=pk),
        done=lambda _item: _("已处理:%(name)s 的困难类别不变更。") % {"name": item.household.name},
    )


@require_POST
def reevaluation_confirm_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reevaluation = selectors.access_reevaluation(reevaluation_id=pk)

    def run() -> Any:
        outcome = category_services.reevaluation_confirm_all(
            actor=request.user, reevaluation=reevaluation
        )
        # Archives that changed meanwhile stay pending, each with why.
        for item, reason in outcome.refused:
            messages.warning(request, f"{item.household.name}:{reason}")
        return outcome

    return _decide(
        request,
        reevaluation,
        run=run,
        done=lambda outcome: _("已确认 %(count)s 户的类别变更。") % {"count": outcome.done},
    )


@require_POST
def reevaluation_dismiss_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reevaluation = selectors.access_reevaluation(reevaluation_id=pk)
    return _decide(
        request,
        reevaluation,
        run=lambda: category_services.reevaluation_dismiss_all(
            actor=request.user, reevaluation=reevaluation
        ),
        done=lambda outcome: _("已处理 %(count)s 户:类别不变更。") % {"count": outcome.done},
    )


# --- determining an archive's category ------------------------------------------------------


@require_POST
def household_determine(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Determine the archive's category now, with the standards in force today, and go back to
    the archive's page (another area's) with the result or why it could not be determined."""
    household = access_household(user=request.user, household_id=pk, perm=ArchivesPermission.FILE)
    try:
        determination = category_services.household_determine(
            actor=request.user, household=household
        )
    except NotFound:
        raise  # the 404 page (NotFound is a DomainError too)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(household_url(household.pk))
    if determination is None:
        messages.error(
            request,
            category_services.category_blocker(household=household) or _("暂时无法认定困难类别。"),
        )
    else:
        messages.success(request, _("认定结果:%(reason)s") % {"reason": determination.reason})
    return redirect(household_url(household.pk))
