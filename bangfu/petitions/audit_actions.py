"""The audit actions of the petitions context (`<context>.<entity>.<verb>`), with their labels."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class PetitionsAction(AuditAction):
    REGISTER = "petitions.petition.register", _("登记信访")
    SUBMIT_ONLINE = "petitions.petition.submit_online", _("网上信访")
    ACCEPT = "petitions.petition.accept", _("受理并交办")
    DECLINE = "petitions.petition.decline", _("不予受理")
    TRANSFER = "petitions.petition.transfer", _("转交其他机关")
    REFER = "petitions.petition.refer", _("转法律援助或帮扶救助")
    ACKNOWLEDGE = "petitions.petition.acknowledge", _("告知信访人")
    EXTEND = "petitions.petition.extend", _("批准延期")
    REPLY = "petitions.petition.reply", _("答复")
    REVIEW_REQUEST = "petitions.petition.review_request", _("登记复查请求")
    REVIEW_REPLY = "petitions.petition.review_reply", _("复查答复")
    RECHECK_REQUEST = "petitions.petition.recheck_request", _("登记复核请求")
    RECHECK_REPLY = "petitions.petition.recheck_reply", _("复核答复")
    RATE = "petitions.petition.rate", _("满意度评价")
    ROUTE_TAKE = "petitions.route.take", _("转办被接收")
    ATTACHMENT_UPLOAD = "petitions.attachment.upload", _("上传信访材料")
    ATTACHMENT_WITHDRAW = "petitions.attachment.withdraw", _("撤回信访材料")
