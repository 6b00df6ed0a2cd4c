"""Pages of standards (低保标准, minimum wage, benefit types: system admin), of re-evaluations
after a standard changed (staff confirm or dismiss each change), and the action that
determines an archive's category.

Views stay thin: the services decide; NotFound becomes 404, ValidationError lands on the form,
Conflict and other domain errors become a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bangfu.core.errors import DomainError, NotFound, ValidationError
from bangfu.core.masking import mask_id_number
from bangfu.core.shortcuts import found

from .. import rules
from ..forms.standards import AreaForm, BenefitTypeForm, FigureForm
from ..models import BenefitType, DibaoStandard, MinimumWage, ReevaluationItem
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


def _found(fetch: Callable[[], Any]) -> Any:
    result = found(fetch)
    if result is None:
        raise Http404
    return result


# --- areas and their standards --------------------------------------------------------------


@require_GET
def standard_area_list(request: HttpRequest) -> HttpResponse:
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
def area_create(request: HttpRequest) -> HttpResponse:
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已新增地区“%(name)s”。") % {"name": area.name})
            return redirect("archives:standard_area_detail", pk=area.pk)
    return render(
        request,
        "archives/standards/form.html",
        {
            "form": form,
            "title": _("新增地区"),
            "back_url": reverse("archives:standard_area_list"),
            "submit": _("保存"),
        },
    )


@require_GET
def standard_area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An area's history of 低保 standards and minimum wages, with the forms to add one."""
    area = _found(lambda: selectors.area_get(pk))
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
        },
    )


def _figure_form(
    request: HttpRequest,
    pk: int,
    *,
    title: str,
    amount_label: str,
    save: Callable[..., Any],
) -> HttpResponse:
    area = _found(lambda: selectors.area_get(pk))
    form = FigureForm(request.POST or None, amount_label=amount_label)
    if request.method == "POST" and form.is_valid():
        try:
            response = save(area, form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return response
    return render(
        request,
        "archives/standards/form.html",
        {
            "form": form,
            "title": title,
            "area": area,
            "back_url": reverse("archives:standard_area_detail", args=[area.pk]),
            "submit": _("保存"),
            "note": _("标准录入后不能修改;标准调整时请录入新的标准和新的执行日期。"),
        },
    )


@require_http_methods(["GET", "POST"])
def dibao_standard_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(area: Any, data: dict[str, Any]) -> HttpResponse:
        saved = services.dibao_standard_create(actor=request.user, area=area, **data)
        if saved.reevaluation is not None and saved.reevaluation.job_id:
            messages.success(
                request,
                _("已录入低保标准 %(amount)s 元。正在重新评估该地区的在档档案,类别不会自动变更。")
                % {"amount": saved.standard.amount},
            )
            return redirect("workbench:job_detail", job_id=saved.reevaluation.job_id)
        messages.success(
            request,
            _("已录入低保标准 %(amount)s 元(早于现行标准,作为历史记录,不重新评估)。")
            % {"amount": saved.standard.amount},
        )
        return redirect("archives:standard_area_detail", pk=area.pk)

    return _figure_form(
        request,
        pk,
        title=_("录入低保标准"),
        amount_label=_("低保标准(元/人·月)"),
        save=save,
    )


@require_http_methods(["GET", "POST"])
def minimum_wage_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(area: Any, data: dict[str, Any]) -> HttpResponse:
        wage = services.minimum_wage_create(actor=request.user, area=area, **data)
        messages.success(request, _("已录入最低工资标准 %(amount)s 元。") % {"amount": wage.amount})
        return redirect("archives:standard_area_detail", pk=area.pk)

    return _figure_form(
        request,
        pk,
        title=_("录入最低工资标准"),
        amount_label=_("最低工资标准(元/月)"),
        save=save,
    )


@require_POST
def dibao_standard_delete(request: HttpRequest, pk: int) -> HttpResponse:
    standard = _found(lambda: DibaoStandard.objects.filter(pk=pk).first())
    try:
        services.dibao_standard_delete(actor=request.user, standard=standard)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除误录的低保标准。"))
    return redirect("archives:standard_area_detail", pk=standard.area_id)


@require_POST
def minimum_wage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    wage = _found(lambda: MinimumWage.objects.filter(pk=pk).first())
    try:
        services.minimum_wage_delete(actor=request.user, wage=wage)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除误录的最低工资标准。"))
    return redirect("archives:standard_area_detail", pk=wage.area_id)


# --- benefit types --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def benefit_type_list(request: HttpRequest) -> HttpResponse:
    """The benefit types, with the form to add one."""
    form = BenefitTypeForm(request.POST or None, initial={"sort_order": 0})
    if request.method == "POST" and form.is_valid():
        try:
            benefit = benefit_services.benefit_type_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已新增政策待遇“%(name)s”。") % {"name": benefit.name})
            return redirect("archives:benefit_type_list")
    return render(
        request,
        "archives/standards/benefit_type_list.html",
        {"types": benefit_selectors.benefit_types(), "form": form},
    )


@require_http_methods(["GET", "POST"])
def benefit_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    benefit = _found(lambda: BenefitType.objects.filter(pk=pk).first())
    initial = {
        "name": benefit.name,
        "is_dibao": benefit.is_dibao,
        "active": benefit.active,
        "sort_order": benefit.sort_order,
    }
    form = BenefitTypeForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            benefit_services.benefit_type_update(
                actor=request.user, benefit_type_id=benefit.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存政策待遇“%(name)s”。") % {"name": benefit.name})
            return redirect("archives:benefit_type_list")
    return render(
        request,
        "archives/standards/form.html",
        {
            "form": form,
            "title": _("修改政策待遇:%(name)s") % {"name": benefit.name},
            "back_url": reverse("archives:benefit_type_list"),
            "submit": _("保存"),
        },
    )


# --- re-evaluations ---------------------------------------------------------------------------


@require_GET
def reevaluation_list(request: HttpRequest) -> HttpResponse:
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


@require_GET
def reevaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The archives (within the user's scope) whose category would change, to confirm or
    dismiss one by one or all at once."""
    reevaluation = _found(lambda: selectors.access_reevaluation(reevaluation_id=pk))
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
        },
    )


def _back_to(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(reverse("archives:reevaluation_detail", args=[pk]))


@require_POST
def reevaluation_item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    item = _found(lambda: selectors.access_reevaluation_item(user=request.user, item_id=pk))
    try:
        determination = category_services.reevaluation_item_confirm(actor=request.user, item_id=pk)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("已确认:%(name)s 的困难类别变更为“%(category)s”。")
            % {
                "name": item.household.name,
                "category": rules.CATEGORY_LABELS[determination.category],
            },
        )
    return _back_to(request, item.reevaluation_id)


@require_POST
def reevaluation_item_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    item = _found(lambda: selectors.access_reevaluation_item(user=request.user, item_id=pk))
    try:
        category_services.reevaluation_item_dismiss(actor=request.user, item_id=pk)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已处理:%(name)s 的困难类别不变更。") % {"name": item.household.name}
        )
    return _back_to(request, item.reevaluation_id)


@require_POST
def reevaluation_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    reevaluation = _found(lambda: selectors.access_reevaluation(reevaluation_id=pk))
    try:
        outcome = category_services.reevaluation_confirm_all(
            actor=request.user, reevaluation=reevaluation
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to(request, pk)
    messages.success(request, _("已确认 %(count)s 户的类别变更。") % {"count": outcome.done})
    for item, reason in outcome.refused:
        messages.warning(request, f"{item.household.name}:{reason}")
    return _back_to(request, pk)


@require_POST
def reevaluation_dismiss_all(request: HttpRequest, pk: int) -> HttpResponse:
    reevaluation = _found(lambda: selectors.access_reevaluation(reevaluation_id=pk))
    try:
        outcome = category_services.reevaluation_dismiss_all(
            actor=request.user, reevaluation=reevaluation
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理 %(count)s 户:类别不变更。") % {"count": outcome.done})
    return _back_to(request, pk)


# --- determining an archive's category ------------------------------------------------------


@require_POST
def household_determine(request: HttpRequest, pk: int) -> HttpResponse:
    """Determine the archive's category now, with the standards in force today."""
    household = _found(
        lambda: access_household(user=request.user, household_id=pk, perm=ArchivesPermission.FILE)
    )
    try:
        determination = category_services.household_determine(
            actor=request.user, household=household
        )
    except NotFound:
        raise Http404 from None
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
